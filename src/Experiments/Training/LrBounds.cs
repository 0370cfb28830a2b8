namespace PsTraining.Experiments.Training;

/// <summary>
/// The learning-rate bounds of a cyclical schedule, chosen from an LR range test (Smith 2017, §3.3): the curve of training
/// loss against learning rate, each rate trained from the same initialisation, and the loss of the untrained model.
/// </summary>
public sealed record LrBounds(double LrMin, double LrMax)
{
    /// <summary>The share of the loss's whole fall (untrained → best) at which training counts as started.</summary>
    public const double StartedShare = 0.1;

    /// <summary>The rule of <see cref="Choose"/>, for summaries and bounds.json.</summary>
    public const string Rule =
        "lr_max = the rate with the lowest training loss (above it the loss rises again or diverges); "
        + "lr_min = the smallest rate whose loss has fallen at least 10% of the way from the untrained model's loss to that lowest loss "
        + "(where training starts to work), but at most lr_max/10, so that a cycle spans at least a decade";

    /// <summary>
    /// Applies <see cref="Rule"/> to (rate, loss) points; a non-finite loss (diverged) never wins. Throws when every loss
    /// diverged, or when no rate trained the loss below the untrained model's.
    /// </summary>
    public static LrBounds Choose(IReadOnlyList<(double Rate, double Loss)> curve, double untrainedLoss)
    {
        var finite = curve.Where(p => double.IsFinite(p.Loss)).OrderBy(p => p.Rate).ToList();
        if (finite.Count == 0)
        {
            throw new InvalidOperationException("every learning rate of the range test diverged: no bounds can be chosen");
        }

        var best = finite.MinBy(p => p.Loss);
        if (!(best.Loss < untrainedLoss))
        {
            throw new InvalidOperationException($"no learning rate brought the training loss below the untrained model's {untrainedLoss:G4}: train longer to choose bounds");
        }

        var started = untrainedLoss - (StartedShare * (untrainedLoss - best.Loss));
        var firstWorking = finite.First(p => p.Loss <= started).Rate;
        return new LrBounds(Math.Min(firstWorking, best.Rate / 10), best.Rate);
    }
}
