namespace PsTraining.Experiments.Training;

/// <summary>The mean loss of the last <c>every</c> minibatches, as the classic PyTorch loop prints it: "[epoch, minibatch] loss".</summary>
public sealed record RunningLoss(int Epoch, int Minibatch, double Loss);
