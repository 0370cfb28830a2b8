namespace PsTraining.Experiments.Training;

/// <summary>One SGD step of a classifier: its minibatch's mean loss (before the update), and how many of its samples it got right.</summary>
public sealed record StepResult(double Loss, long Correct, int Samples);
