using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// What every server of a cluster must agree on: the model, its initial weights, how it is cut into
/// <see cref="Shards"/> shards (shard s is <see cref="ParameterPartition.Of"/>(layout, s, S)), the core's options, and
/// where the shards' checkpoints are (a directory every server can read, for failover).
/// </summary>
public sealed record ShardModel(string Model, ParameterLayout Layout, float[] InitialWeights, int Shards, CoreOptions Core)
{
    public string? CheckpointRoot { get; init; }

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    public int KeepCheckpoints { get; init; } = 3;

    public ParameterPartition Range(int shard) => ParameterPartition.Of(Layout, shard, Shards);

    /// <summary>The folder of one shard's checkpoints, or null when the cluster keeps none.</summary>
    public string? CheckpointDirectory(int shard) => CheckpointRoot is null ? null : Path.Combine(CheckpointRoot, $"shard-{shard}");
}
