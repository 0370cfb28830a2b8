namespace PsTraining.Experiments.Training;

/// <summary>The steps of one pass over a training set, as PyTorch scripts report them: the mean of the batch losses and the running accuracy.</summary>
public sealed record PassResult(IReadOnlyList<StepResult> Steps)
{
    public double MeanLoss => Steps.Average(s => s.Loss);

    public double Accuracy => (double)Steps.Sum(s => s.Correct) / Steps.Sum(s => s.Samples);
}
