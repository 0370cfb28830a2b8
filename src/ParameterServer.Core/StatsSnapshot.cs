namespace PsTraining.ParameterServer.Core;

/// <summary>
/// The server's counters at one moment. Lost: pushes that learners saw acknowledged but that the checkpoint this core
/// was restored from does not hold (counted as the learners register again).
/// </summary>
public sealed record StatsSnapshot(ulong Version, ulong Applied, ulong Duplicates, ulong Rejected, ConsistencyPolicy Policy,
    IReadOnlyList<LearnerSnapshot> Learners, long DelayCompensationFloats, ulong Lost = 0);
