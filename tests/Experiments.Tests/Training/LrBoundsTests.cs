using PsTraining.Experiments.Training;

namespace PsTraining.Experiments.Tests.Training;

/// <summary>The rule that turns a range-test curve into lr_min and lr_max, on curves whose answer is known.</summary>
public sealed class LrBoundsTests
{
    private static readonly double[] Rates = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];

    private static (double, double)[] Curve(params double[] losses) => [.. Rates.Zip(losses)];

    [Fact]
    public void Lr_max_is_the_lowest_loss_and_lr_min_where_the_loss_has_fallen_a_tenth_of_the_way()
    {
        // Untrained 2.3, best 0.3 at 1e-2: a tenth of the fall is 0.2, so the first rate at or below 2.1 (1e-4, at 2.05) is lr_min.
        var bounds = LrBounds.Choose(Curve(2.3, 2.05, 2.0, 0.3, 0.9, double.NaN), untrainedLoss: 2.3);
        Assert.Equal(new LrBounds(1e-4, 1e-2), bounds);
    }

    [Fact]
    public void Lr_min_is_at_most_a_decade_below_lr_max()
    {
        // Only the best rate trains at all: lr_min falls back to lr_max/10.
        var bounds = LrBounds.Choose(Curve(2.3, 2.3, 2.3, 2.29, 1.0, 2.4), untrainedLoss: 2.3);
        Assert.Equal(0.1, bounds.LrMax);
        Assert.Equal(0.01, bounds.LrMin, 1e-15);
    }

    [Fact]
    public void Diverged_rates_never_win_and_a_curve_without_progress_has_no_bounds()
    {
        Assert.Equal(1e-2, LrBounds.Choose(Curve(2.3, 2.2, 2.0, 1.5, double.PositiveInfinity, double.NaN), 2.3).LrMax);
        Assert.Throws<InvalidOperationException>(() => LrBounds.Choose(Curve(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN), 2.3));
        var e = Assert.Throws<InvalidOperationException>(() => LrBounds.Choose(Curve(2.3, 2.31, 2.4, 2.5, 3, 9), 2.3));
        Assert.Contains("no learning rate brought the training loss below the untrained model's", e.Message);
    }
}
