namespace PsTraining.Simulation;

/// <summary>One evaluation in a hybrid run: virtual time, model version, and test loss and accuracy there.</summary>
public sealed record HybridPoint(decimal Time, ulong Version, double TestLoss, double TestAccuracy);
