namespace PsTraining.ParameterServer.Cluster;

/// <summary>Why a shard's core was loaded on a server: its first placement, after it lived on another server (a failover or hand-over), or again on the same one.</summary>
public enum ShardLoad
{
    First,
    Moved,
    Reloaded,
}
