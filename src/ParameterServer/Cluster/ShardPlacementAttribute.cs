using Orleans.Placement;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>Places shard grains with <see cref="ShardPlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardPlacementAttribute() : PlacementAttribute(ShardPlacement.Instance);
