using System.Text.Json;
using PsTraining.Experiments;
using PsTraining.Experiments.Training;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Training;

/// <summary>
/// cyclic-lr in a tiny configuration: it takes the range test's bounds (running it when they are missing), follows the
/// exp_range schedule between them, and writes its curves and final test metrics. That our CyclicLR reproduces PyTorch's
/// sequences in all three modes is checked by tests/Models.Tests/ScheduleTests.cs against torch.optim.lr_scheduler.CyclicLR.
/// </summary>
public sealed class CyclicLearningRateTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-cyclic-lr-").FullName;

    [Fact]
    public void Trains_between_the_range_tests_bounds_and_writes_its_curves()
    {
        // No range test in _out yet: cyclic-lr runs it first, into _out/lr-range-test.
        var dir = ExperimentRunner.Run(new CyclicLearningRate(CyclicLearningRate.Settings.Tiny), _out, seed: 2);
        using var bounds = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "lr-range-test", LrRangeTest.BoundsFile)));
        var lrMin = bounds.RootElement.GetProperty("lr_min").GetDouble();
        var lrMax = bounds.RootElement.GetProperty("lr_max").GetDouble();
        Assert.Contains("a range test run now", File.ReadAllText(Path.Combine(dir, "summary.md")));

        // 2048 images in batches of 32: 64 iterations an epoch, a half cycle of one epoch, two epochs = one full cycle.
        var schedule = ReadCsv(dir, "schedule");
        Assert.Equal(128, schedule.Count);
        var lrs = schedule.Select(r => r.Number("lr")).ToList();
        Assert.Equal(lrMin, lrs[0]);
        Assert.All(lrs, lr => Assert.InRange(lr, lrMin, lrMax));
        // exp_range (PyTorch's formula): lr = lr_min + (lr_max − lr_min)·triangle·γ^iteration, γ^128 = 0.1. At the triangle's apex,
        // iteration 64, that is γ^64 of the amplitude; the momentum moves the other way, from 0.9 down towards 0.8.
        var gamma = Math.Pow(0.1, 1.0 / 128);
        Assert.Equal(lrMin + ((lrMax - lrMin) * Math.Pow(gamma, 64)), lrs[64], 1e-9 * lrMax);
        Assert.Equal(0.9, schedule[0].Number("momentum"), 1e-12);
        Assert.Equal(0.9 - (0.1 * Math.Pow(gamma, 64)), schedule[64].Number("momentum"), 1e-12);
        // The decay moves the highest rate before the apex: k·γ^k peaks at k = −1/ln γ ≈ 55.6.
        Assert.InRange(lrs.IndexOf(lrs.Max()), 50, 60);

        var epochs = ReadCsv(dir, "epochs");
        Assert.Equal(["1", "2"], epochs.Select(r => r["epoch"]));
        Assert.All(epochs, r => Assert.InRange(r.Number("validation_accuracy"), 0, 1));
        Assert.True(epochs[^1].Number("train_loss") < Math.Log(10), $"training brought the loss below ln 10: {epochs[^1]["train_loss"]}");
        using var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, CyclicLearningRate.FinalFile)));
        var testAccuracy = final.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(testAccuracy > 0.2, $"test accuracy {testAccuracy} after training between {lrMin} and {lrMax}; epochs: {string.Join("; ", epochs.Select(r => $"{r["train_loss"]} {r["validation_accuracy"]}"))}; range test: {File.ReadAllText(Path.Combine(_out, "lr-range-test", "losses.csv"))}");
        Assert.Equal(lrMax, final.RootElement.GetProperty("lr_max").GetDouble());
        Assert.Equal(256, final.RootElement.GetProperty("test_samples").GetInt32());

        AssertFigure(dir, "loss", "epoch", "cross-entropy loss", "train", "validation");
        AssertFigure(dir, "accuracy", "epoch", "accuracy", "train", "validation");
        AssertFigure(dir, "schedule", "iteration", "learning rate");

        // A second run with the same seed and settings reuses the bounds instead of running the range test again.
        var boundsTime = File.GetLastWriteTimeUtc(Path.Combine(_out, "lr-range-test", LrRangeTest.BoundsFile));
        ExperimentRunner.Run(new CyclicLearningRate(CyclicLearningRate.Settings.Tiny with { Epochs = 1 }), _out, seed: 2);
        Assert.Contains("an earlier lr-range-test run", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.Equal(boundsTime, File.GetLastWriteTimeUtc(Path.Combine(_out, "lr-range-test", LrRangeTest.BoundsFile)));
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
