using System.Text.Json;
using PsTraining.Experiments;
using PsTraining.Experiments.Training;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Training;

/// <summary>classifier against the same loop in PyTorch (same images, order and initial weights), at a reduced scale and (Slow) the default one, and its determinism.</summary>
public sealed class ClassifierTests : IDisposable
{
    /// <summary>Accuracy points ours may fall below PyTorch's: the two runs start alike but float rounding lets them drift apart over the steps.</summary>
    private const double Margin = 0.03;

    private const int Seed = 5;

    private static readonly Classifier.Settings Reduced = new(TrainImages: 3000, TestImages: 1000, BatchSizes: [4, 16], Epochs: [2, 4], LossEvery: 150);

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-classifier-").FullName;

    [Fact]
    public void Accuracy_reaches_the_pytorch_floor_and_a_second_run_repeats_every_metric()
    {
        var first = ExperimentRunner.Run(new Classifier(Reduced), Path.Combine(_out, "first"), Seed);
        var second = ExperimentRunner.Run(new Classifier(Reduced), Path.Combine(_out, "second"), Seed);

        // Determinism on the CPU: every metric of the second run equals the first (the wall times are apart, in measured/).
        foreach (var csv in new[] { "test-accuracy", "running-loss", "epochs" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(first, csv + ".csv")), File.ReadAllText(Path.Combine(second, csv + ".csv")));
        }

        Assert.All(ReadCsv(Path.Combine(first, ExperimentContext.MeasuredFolder), "timings"), r => Assert.True(r.Number("seconds") > 0));

        AssertAtLeastPyTorch(first, Reduced);
        var accuracy = ReadCsv(first, "test-accuracy");
        // Batch 4 makes four times the steps of batch 16 and, at this small learning rate, is well past chance (10 %) by epoch 4.
        Assert.True(accuracy.Single(r => r.Long("batch_size") == 4 && r.Long("epochs") == 4).Number("test_accuracy") > 0.5);
        AssertFigure(first, "running-loss", "running loss", "epoch", "batch 4", "batch 16");
        AssertFigure(first, "test-accuracy", "test accuracy", "batch 4", "batch 16");
        Assert.Contains("| batch size | 2 epochs | 4 epochs |", File.ReadAllText(Path.Combine(first, "summary.md")));
    }

    /// <summary>The default scale (6,000 images, batch 4 and 16 by 5 and 20 epochs: minutes on two cores) against PyTorch's run of it.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void At_the_default_scale_accuracy_reaches_the_pytorch_floor()
    {
        var run = ExperimentRunner.Run(new Classifier(), _out, Seed);
        AssertAtLeastPyTorch(run, Classifier.Settings.Default);
    }

    /// <summary>
    /// Runs tests/reference/classifier.py on the same images, order and initial weights as <paramref name="run"/>; every
    /// accuracy of ours is at least PyTorch's less <see cref="Margin"/>, and the first running loss agrees.
    /// </summary>
    private static void AssertAtLeastPyTorch(string run, Classifier.Settings settings)
    {
        using var reference = JsonDocument.Parse(PythonReference.Run("classifier.py", "--train", $"{settings.TrainImages}", "--test", $"{settings.TestImages}",
            "--batches", string.Join(',', settings.BatchSizes), "--epochs", $"{settings.Epochs.Max()}", "--loss-every", $"{settings.LossEvery}", "--seed", $"{Seed}",
            "--weights", Path.Combine(run, "initial-weights.pstsd")));
        var accuracy = ReadCsv(run, "test-accuracy");
        var losses = ReadCsv(run, "running-loss");
        foreach (var batch in settings.BatchSizes)
        {
            var theirs = reference.RootElement.GetProperty("runs").GetProperty($"{batch}");
            foreach (var epochs in settings.Epochs)
            {
                var floor = theirs.GetProperty("accuracy")[epochs - 1].GetDouble() - Margin;
                var ours = accuracy.Single(r => r.Long("batch_size") == batch && r.Long("epochs") == epochs).Number("test_accuracy");
                Assert.True(ours >= floor, $"batch {batch}, {epochs} epochs: accuracy {ours} below PyTorch's {floor + Margin} − {Margin}");
            }

            // The same images in the same order from the same weights: the first running loss agrees before rounding drifts.
            var ourLosses = losses.Where(r => r.Long("batch_size") == batch).ToList();
            var theirLosses = theirs.GetProperty("running_loss");
            Assert.Equal(theirLosses.GetArrayLength(), ourLosses.Count);
            Assert.Equal(theirLosses[0][2].GetDouble(), ourLosses[0].Number("running_loss"), 1e-4);
        }
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
