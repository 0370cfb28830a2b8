namespace PsTraining.Experiments.Training;

/// <summary>One batch size of the classifier grid: every epoch's result, the running losses, and the wall time of training and testing.</summary>
public sealed record ClassifierRun(int BatchSize, IReadOnlyList<EpochResult> Epochs, IReadOnlyList<RunningLoss> RunningLosses, TimeSpan Duration);
