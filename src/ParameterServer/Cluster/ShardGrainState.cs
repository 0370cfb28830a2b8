namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// What a shard grain persists (grain storage: Redis in a cluster of processes, memory in one): how many times the
/// shard has been loaded, where (the gRPC address and the silo), and whether that owner has let it go after its last
/// checkpoint. The shard's weights and learners are in its checkpoints, not here.
/// </summary>
[GenerateSerializer, Alias("pstraining.ShardGrainState")]
public sealed class ShardGrainState
{
    [Id(0)]
    public ulong Generation { get; set; }

    [Id(1)]
    public string Address { get; set; } = "";

    /// <summary>The owner's silo (<c>SiloAddress.ToParsableString</c>).</summary>
    [Id(2)]
    public string Silo { get; set; } = "";

    /// <summary>True once the owner wrote its last checkpoint and stopped serving the shard.</summary>
    [Id(3)]
    public bool Released { get; set; }
}
