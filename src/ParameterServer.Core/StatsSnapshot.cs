namespace PsTraining.ParameterServer.Core;

/// <summary>The server's counters at one moment.</summary>
public sealed record StatsSnapshot(ulong Version, ulong Applied, ulong Duplicates, ulong Rejected, ConsistencyPolicy Policy,
    IReadOnlyList<LearnerSnapshot> Learners, long DelayCompensationFloats);
