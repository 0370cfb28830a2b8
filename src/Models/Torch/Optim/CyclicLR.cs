namespace PsTraining.Torch.Optim;

/// <summary>
/// Cyclical learning rate (Smith 2017) with the semantics of <c>torch.optim.lr_scheduler.CyclicLR</c>:
/// the rate climbs from base_lr to max_lr over step_size_up steps and falls back over step_size_down,
/// the amplitude shaped by the mode. With cycle_momentum the momentum moves the opposite way,
/// between max_momentum and base_momentum. Call <see cref="LRScheduler.step"/> after every batch.
/// </summary>
public sealed class CyclicLR : LRScheduler
{
    private readonly double _totalSize;
    private readonly double _stepRatio;

    public CyclicLR(Optimizer optimizer, double base_lr, double max_lr, long step_size_up = 2000, long? step_size_down = null,
        CyclicLRMode mode = CyclicLRMode.Triangular, double gamma = 1.0, bool cycle_momentum = true, double base_momentum = 0.8, double max_momentum = 0.9)
        : base(optimizer)
    {
        Optimizer.Require(base_lr >= 0, nameof(base_lr), base_lr, ">= 0");
        Optimizer.Require(max_lr >= 0, nameof(max_lr), max_lr, ">= 0");
        ArgumentOutOfRangeException.ThrowIfLessThan(step_size_up, 1, nameof(step_size_up));
        var down = step_size_down ?? step_size_up;
        ArgumentOutOfRangeException.ThrowIfLessThan(down, 1, nameof(step_size_down));

        BaseLr = base_lr;
        MaxLr = max_lr;
        Mode = mode;
        Gamma = gamma;
        CycleMomentum = cycle_momentum;
        BaseMomentum = base_momentum;
        MaxMomentum = max_momentum;
        _totalSize = step_size_up + down;
        _stepRatio = step_size_up / _totalSize;

        // As PyTorch: the schedule starts at base_lr (and max_momentum), whatever the optimiser was given.
        foreach (var group in optimizer.param_groups)
        {
            group.lr = base_lr;
            group.initial_lr = base_lr;
            if (cycle_momentum)
            {
                group.momentum = max_momentum;
            }
        }

        base_lrs = optimizer.param_groups.Select(_ => base_lr).ToArray();
        step();
    }

    public double BaseLr { get; }

    public double MaxLr { get; }

    public CyclicLRMode Mode { get; }

    public double Gamma { get; }

    public bool CycleMomentum { get; }

    public double BaseMomentum { get; }

    public double MaxMomentum { get; }

    protected override double LearningRate(int group, long epoch)
    {
        var (scaleFactor, scale) = Position(epoch);
        return base_lrs[group] + ((MaxLr - base_lrs[group]) * scaleFactor * scale);
    }

    protected override void OnStep()
    {
        if (!CycleMomentum)
        {
            return;
        }

        var (scaleFactor, scale) = Position(last_epoch);
        foreach (var group in Optimizer.param_groups)
        {
            group.momentum = MaxMomentum - ((MaxMomentum - BaseMomentum) * scaleFactor * scale);
        }
    }

    /// <summary>Where <paramref name="epoch"/> sits in its cycle (0 → 1 → 0) and the mode's amplitude scale.</summary>
    private (double scaleFactor, double scale) Position(long epoch)
    {
        var cycle = Math.Floor(1 + (epoch / _totalSize));
        var x = 1.0 + (epoch / _totalSize) - cycle;
        var scaleFactor = x <= _stepRatio ? x / _stepRatio : (x - 1) / (_stepRatio - 1);
        var scale = Mode switch
        {
            CyclicLRMode.Triangular => 1.0,
            CyclicLRMode.Triangular2 => 1 / Math.Pow(2, cycle - 1),
            _ => Math.Pow(Gamma, epoch),
        };
        return (scaleFactor, scale);
    }
}
