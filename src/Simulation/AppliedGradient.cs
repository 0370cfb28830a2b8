namespace PsTraining.Simulation;

/// <summary>One gradient as the server applied it: learner (1-based), its index (1-based, per learner), when, what it had read, and its staleness.</summary>
public readonly record struct AppliedGradient(int Learner, int Index, long Ticks, ulong ReadVersion, ulong Staleness);
