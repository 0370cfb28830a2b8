namespace PsTraining.Experiments.Training;

/// <summary>What one epoch measured.</summary>
public sealed record EpochResult(int Epoch, double TrainLoss, double TestLoss, double TestAccuracy, TimeSpan Duration, int Samples);
