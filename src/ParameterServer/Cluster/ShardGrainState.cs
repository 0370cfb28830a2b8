namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// What a shard grain persists (grain storage: Redis in a cluster of processes, memory in one): how many times the shard
/// has been loaded, and where. The shard's weights and learners are in its checkpoints, not here.
/// </summary>
[GenerateSerializer, Alias("pstraining.ShardGrainState")]
public sealed class ShardGrainState
{
    [Id(0)]
    public ulong Generation { get; set; }

    [Id(1)]
    public string Address { get; set; } = "";
}
