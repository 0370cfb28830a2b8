using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Durability;

/// <summary>
/// Where a core's checkpoints are kept: the newest few, each verified on load (a torn or corrupt one is skipped), and
/// a high-water mark of the version, written often and cheaply, so that a restart can say how many updates were lost.
/// A folder (<see cref="CheckpointStore"/>) or Redis (<see cref="RedisCheckpointStore"/>, for a cluster without a
/// shared volume).
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Where it is, as a person reads it: a folder, or a Redis key prefix.</summary>
    public string Location { get; }

    /// <summary>Saves a checkpoint (keeping the newest few); returns where it went.</summary>
    public string Save(CoreState state, string model, ParameterLayout layout);

    /// <summary>The newest checkpoint that verifies, and the ones skipped on the way (torn or corrupt).</summary>
    public LoadedCheckpoint? LoadNewest(List<string> skipped);

    /// <summary>Records the latest version known to have been applied (a hint, not a guarantee).</summary>
    public void WriteHighWater(ulong version);

    public ulong? ReadHighWater();
}
