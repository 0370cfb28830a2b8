namespace PsTraining.ParameterServer.Core;

/// <summary>
/// What the server did with a push: the version it produced, its staleness (version just before applying −
/// read version), whether it was a retry acknowledged again, and the learning rate applied.
/// </summary>
public readonly record struct PushResult(ulong Version, ulong Staleness, bool Duplicate, float AppliedLearningRate);
