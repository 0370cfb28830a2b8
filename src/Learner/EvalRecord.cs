namespace PsTraining.Learner;

/// <summary>A held-out evaluation, written as one JSON line on standard output: after which step, on which version, loss and accuracy.</summary>
public sealed record EvalRecord(uint Learner, string Name, long Step, ulong Version, double Time, double TestLoss, double TestAccuracy);
