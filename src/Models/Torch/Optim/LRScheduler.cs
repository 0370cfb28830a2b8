namespace PsTraining.Torch.Optim;

/// <summary>
/// Base of the learning-rate schedules, as <c>torch.optim.lr_scheduler</c>: <see cref="step"/> advances
/// <see cref="last_epoch"/> and writes the new rate into every parameter group. Constructing one
/// performs the initial step, so the optimiser starts at the schedule's first rate.
/// </summary>
public abstract class LRScheduler
{
    protected LRScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        foreach (var group in optimizer.param_groups)
        {
            group.initial_lr ??= group.lr;
        }

        base_lrs = optimizer.param_groups.Select(g => g.initial_lr!.Value).ToArray();
    }

    public Optimizer Optimizer { get; }

    public IReadOnlyList<double> base_lrs { get; protected set; }

    /// <summary>Steps taken so far; −1 before the initial step.</summary>
    public long last_epoch { get; private set; } = -1;

    public void step()
    {
        last_epoch++;
        for (var i = 0; i < Optimizer.param_groups.Count; i++)
        {
            Optimizer.param_groups[i].lr = LearningRate(i, last_epoch);
        }

        OnStep();
    }

    /// <summary>The current learning rate of each group.</summary>
    public double[] get_last_lr() => Optimizer.param_groups.Select(g => g.lr).ToArray();

    /// <summary>The learning rate of group <paramref name="group"/> after <paramref name="epoch"/> steps.</summary>
    protected abstract double LearningRate(int group, long epoch);

    protected virtual void OnStep()
    {
    }
}
