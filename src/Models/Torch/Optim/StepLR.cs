namespace PsTraining.Torch.Optim;

/// <summary>lr = base·γ^⌊epoch / step_size⌋, as <c>torch.optim.lr_scheduler.StepLR</c>.</summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, long step_size, double gamma = 0.1) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step_size, 1, nameof(step_size));
        StepSize = step_size;
        Gamma = gamma;
        step();
    }

    public long StepSize { get; }

    public double Gamma { get; }

    protected override double LearningRate(int group, long epoch) => base_lrs[group] * Math.Pow(Gamma, epoch / StepSize);
}
