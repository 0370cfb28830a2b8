using System.Globalization;
using PsTraining.Experiments;
using PsTraining.Experiments.Training;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Training;

/// <summary>batch-growth in a tiny configuration: growth to the last batch size, the comparison with cyclic-lr, an honest stop when memory runs out, and determinism.</summary>
/// <remarks>
/// The memory budget is checked against malloc's count of the whole process (TensorMemoryPeak): another test allocating
/// beside it would stop the growth early (no test runs beside another here: see OneTestAtATime).
/// </remarks>
public sealed class BatchGrowthTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-batch-growth-").FullName;

    [Fact]
    public void Grows_to_the_last_batch_size_and_compares_with_cyclic_lr_the_same_on_every_run()
    {
        // Each run goes through the whole chain: lr-range-test, cyclic-lr (none in its output yet), batch-growth.
        var first = Path.Combine(_out, "first");
        var second = Path.Combine(_out, "second");
        var dir = ExperimentRunner.Run(new BatchGrowth(BatchGrowth.Settings.Tiny), first, seed: 5);
        ExperimentRunner.Run(new BatchGrowth(BatchGrowth.Settings.Tiny), second, seed: 5);

        var stages = ReadCsv(dir, "stages");
        Assert.Equal(["16", "32", "64", "128", "256", "512"], stages.Select(r => r["batch_size"]));
        Assert.All(stages, r => Assert.Equal(("trained", "2"), (r["status"], r["iterations"])));
        var iterations = ReadCsv(dir, "iterations");
        Assert.Equal(12, iterations.Count);
        Assert.Equal(2 * (16 + 32 + 64 + 128 + 256 + 512), iterations[^1].Long("samples_seen"));
        Assert.Contains("Reached batch size 512.", File.ReadAllText(Path.Combine(dir, "summary.md")));

        // The comparison takes cyclic-lr's test metrics as that run wrote them.
        var generalisation = ReadCsv(dir, "generalisation").ToDictionary(r => r["model"]);
        var cyclic = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(first, "cyclic-lr", CyclicLearningRate.FinalFile))).RootElement;
        Assert.Equal(cyclic.GetProperty("test_accuracy").GetDouble(), generalisation["cyclic LR"].Number("test_accuracy"));
        Assert.InRange(generalisation["batch growth"].Number("test_accuracy"), 0, 1);
        AssertFigure(dir, "training-loss", "iteration", "training loss (batch mean)", "batch size", "512");
        AssertFigure(dir, "generalisation", "cyclic LR", "batch growth", "test accuracy", "test loss");

        // Same seed, same metrics: every CSV of the three experiments, byte for byte.
        foreach (var experiment in new[] { "lr-range-test", "cyclic-lr", "batch-growth" })
        {
            foreach (var csv in Directory.GetFiles(Path.Combine(first, experiment), "*.csv"))
            {
                Assert.Equal(File.ReadAllBytes(csv), File.ReadAllBytes(Path.Combine(second, experiment, Path.GetFileName(csv))));
            }
        }
    }

    [Fact]
    public void Running_out_of_memory_stops_the_growth_and_says_where()
    {
        // 6 MiB hold LeNet-5's steps at small batches; a batch of 512 alone needs 2 MiB of input and 12 MiB for conv1's output.
        var dir = ExperimentRunner.Run(new BatchGrowth(BatchGrowth.Settings.Tiny with { CpuMemoryLimit = 6L * 1024 * 1024 }), _out, seed: 5);

        var stages = ReadCsv(dir, "stages");
        var stopped = stages[^1];
        Assert.Equal("out of memory", stopped["status"]);
        Assert.All(stages.SkipLast(1), r => Assert.Equal("trained", r["status"]));
        var batch = int.Parse(stopped["batch_size"], CultureInfo.InvariantCulture);
        Assert.InRange(batch, 32, 512);
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains($"Stopped at batch size {batch}: out of memory", summary);
        // The budget stopped it: a step's measured peak passed the limit, or the next batch size's predicted peak would have.
        Assert.Contains("CPU memory limit reached: ", summary);
        Assert.Contains("over the limit of 6291456 bytes", summary);
        Assert.Contains("CPU tensor memory limit: 0.01 GiB (6291456 bytes)", summary);
        // The model trained so far is still evaluated.
        Assert.InRange(ReadCsv(dir, "generalisation").Single(r => r["model"] == "batch growth").Number("test_accuracy"), 0, 1);
        Assert.All(ReadCsv(dir, "iterations"), r => Assert.True(int.Parse(r["batch_size"], CultureInfo.InvariantCulture) <= batch));
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
