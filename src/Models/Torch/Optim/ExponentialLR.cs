namespace PsTraining.Torch.Optim;

/// <summary>lr = base·γ^epoch, as <c>torch.optim.lr_scheduler.ExponentialLR</c>.</summary>
public sealed class ExponentialLR : LRScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma;
        step();
    }

    public double Gamma { get; }

    protected override double LearningRate(int group, long epoch) => base_lrs[group] * Math.Pow(Gamma, epoch);
}
