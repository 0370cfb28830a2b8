namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// One shard of the model. Its activation is where the shard's core lives: activating loads the core into that silo
/// and registers the silo's gRPC address; the tensors themselves never pass through the grain.
/// </summary>
[Alias("pstraining.ShardGrain")]
public interface IShardGrain : IGrainWithIntegerKey
{
    /// <summary>Where the shard is served, activating it (and loading its core) if it is not active.</summary>
    [Alias("GetLocation")]
    public Task<ShardLocation> GetLocationAsync();
}
