namespace PsTraining.ParameterServer.Cluster;

/// <summary>The gRPC address that serves a shard, and the generation of that placement.</summary>
[GenerateSerializer, Immutable, Alias("pstraining.ShardLocation")]
public sealed record ShardLocation([property: Id(0)] string Address, [property: Id(1)] ulong Generation);
