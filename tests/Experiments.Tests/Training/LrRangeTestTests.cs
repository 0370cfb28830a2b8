using System.Text.Json;
using PsTraining.Experiments;
using PsTraining.Experiments.Training;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Training;

/// <summary>lr-range-test in a tiny configuration: its rates, its files, and bounds that hold the lowest loss.</summary>
public sealed class LrRangeTestTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-lr-range-").FullName;

    [Fact]
    public void Losses_are_finite_in_the_chosen_range_and_lowest_inside_it()
    {
        var dir = ExperimentRunner.Run(new LrRangeTest(LrRangeTest.Settings.Tiny), _out, seed: 1);

        var losses = ReadCsv(dir, "losses");
        // 10 rates evenly spaced in log10 from 1e-9 to 1e1: a factor 10^(10/9) apart.
        Assert.Equal(10, losses.Count);
        for (var i = 0; i < losses.Count; i++)
        {
            Assert.Equal(Math.Pow(10, -9 + (i * 10.0 / 9)), losses[i].Number("lr"), 1e-12 * Math.Pow(10, -9 + (i * 10.0 / 9)));
        }

        using var bounds = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, LrRangeTest.BoundsFile)));
        var lrMin = bounds.RootElement.GetProperty("lr_min").GetDouble();
        var lrMax = bounds.RootElement.GetProperty("lr_max").GetDouble();
        var untrained = bounds.RootElement.GetProperty("untrained_loss").GetDouble();
        Assert.True(lrMin < lrMax, $"lr_min {lrMin} < lr_max {lrMax}");
        // The untrained classifier guesses uniformly: its loss is near ln 10.
        Assert.InRange(untrained, Math.Log(10) - 0.2, Math.Log(10) + 0.2);

        var finite = losses.Where(r => r["finite"] == "True").ToList();
        var inRange = losses.Where(r => r.Number("lr") >= lrMin * (1 - 1e-12) && r.Number("lr") <= lrMax * (1 + 1e-12)).ToList();
        Assert.NotEmpty(inRange);
        Assert.All(inRange, r => Assert.True(double.IsFinite(r.Number("train_loss")), $"loss at {r["lr"]} is {r["train_loss"]}"));
        var lowest = finite.MinBy(r => r.Number("train_loss"))!;
        Assert.InRange(lowest.Number("lr"), lrMin, lrMax);
        Assert.True(lowest.Number("train_loss") < untrained - 0.1, $"the best rate trained: {lowest["train_loss"]} against untrained {untrained}");
        Assert.Contains(LrBounds.Rule, bounds.RootElement.GetProperty("rule").GetString());

        Assert.Equal(["lr", "epoch", "train_loss", "train_accuracy"], File.ReadLines(Path.Combine(dir, "range-test.csv")).First().Split(','));
        AssertFigure(dir, "loss-vs-lr", "learning rate", "training loss (log scale)", "after training", "untrained model", "lr_min", "lr_max");
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains($"lr_min = {lrMin.ToString("0.###e+0", System.Globalization.CultureInfo.InvariantCulture)}", summary);
        Assert.Contains("Rule: lr_max = the rate with the lowest training loss", summary);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
