namespace PsTraining.ParameterServer.Cluster;

/// <summary>The placement strategy of shard grains: shard s on the (s mod n)-th of the n live silos (see <see cref="ShardPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, Alias("pstraining.ShardPlacement")]
public sealed class ShardPlacement : PlacementStrategy
{
    public static ShardPlacement Instance { get; } = new();
}
