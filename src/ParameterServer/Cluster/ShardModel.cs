using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Durability;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// What every server of a cluster must agree on: the model, its initial weights, how it is cut into
/// <see cref="Shards"/> shards (shard s is <see cref="ParameterPartition.Of"/>(layout, s, S)), the core's options, and
/// where the shards' checkpoints are (a folder, or a Redis, that every server can read: that is what failover needs).
/// </summary>
public sealed record ShardModel(string Model, ParameterLayout Layout, float[] InitialWeights, int Shards, CoreOptions Core)
{
    /// <summary>Shard s's checkpoints; null when the cluster keeps none.</summary>
    public Func<int, ICheckpointStore?> Checkpoints { get; init; } = _ => null;

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    public ParameterPartition Range(int shard) => ParameterPartition.Of(Layout, shard, Shards);

    /// <summary>
    /// Shard s's checkpoints in a folder of their own under <paramref name="root"/>; a model of one shard keeps them in
    /// <paramref name="root"/> itself, where a one-process server always has.
    /// </summary>
    public static Func<int, ICheckpointStore?> InFolder(string root, int keep, int shards) =>
        s => new CheckpointStore(shards == 1 ? root : Path.Combine(root, $"shard-{s}"), keep);
}
