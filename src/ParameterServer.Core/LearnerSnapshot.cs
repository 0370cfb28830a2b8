namespace PsTraining.ParameterServer.Core;

/// <summary>One learner in a <see cref="StatsSnapshot"/>.</summary>
public sealed record LearnerSnapshot(uint LearnerId, string Name, ulong Pushes, ulong LastSequence, double MeanStaleness, ulong MaxStaleness, float LastLoss,
    bool Live, long Clock);
