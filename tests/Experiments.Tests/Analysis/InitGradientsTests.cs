using System.Text.Json;
using PsTraining.Models.Torch;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>init-gradients against PyTorch on the saved weights and batch, and the closed form of the zero-initialised gradient.</summary>
public sealed class InitGradientsTests : IDisposable
{
    /// <summary>LeNet-5's parameters and their sizes: conv 6@1×5×5, conv 16@6×5×5, fc 400→120→84→10.</summary>
    private static readonly Dictionary<string, long> Sizes = new()
    {
        ["conv1.weight"] = 6 * 25, ["conv1.bias"] = 6, ["conv2.weight"] = 16 * 6 * 25, ["conv2.bias"] = 16, ["fc1.weight"] = 400 * 120,
        ["fc1.bias"] = 120, ["fc2.weight"] = 120 * 84, ["fc2.bias"] = 84, ["fc3.weight"] = 84 * 10, ["fc3.bias"] = 10,
    };

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-init-gradients-").FullName;

    [Fact]
    public void Gradients_match_pytorch_and_zero_init_leaves_only_the_last_bias()
    {
        var batch = InitGradients.Settings.Tiny.BatchSize;
        var dir = ExperimentRunner.Run(new InitGradients(InitGradients.Settings.Tiny), _out, seed: 3);
        var stats = ReadCsv(dir, "gradient-stats");
        using var reference = JsonDocument.Parse(PythonReference.Run("analysis.py", "lenet-gradients", dir));

        foreach (var init in InitGradients.Initialisations)
        {
            var rows = stats.Where(r => r["init"] == init).ToList();
            Assert.Equal(Sizes.Keys, rows.Select(r => r["parameter"]));
            foreach (var row in rows)
            {
                var expected = reference.RootElement.GetProperty(init).GetProperty("parameters").GetProperty(row["parameter"]);
                Assert.Equal(Sizes[row["parameter"]], row.Long("count"));
                Assert.Equal(expected.GetProperty("count").GetInt64(), row.Long("count"));
                foreach (var measure in new[] { "min", "max", "l2" })
                {
                    var want = expected.GetProperty(measure).GetDouble();
                    Assert.True(Math.Abs(row.Number(measure) - want) <= 1e-6 + (1e-4 * Math.Abs(want)), $"{init} {row["parameter"]} {measure}: {row[measure]} against PyTorch's {want}");
                }
            }
        }

        // Zero initialisation: every gradient is exactly zero except the last bias, which is softmax(0) − one-hot averaged: 1/10 − share of class c.
        var zero = stats.Where(r => r["init"] == "zero").ToList();
        Assert.All(zero.Where(r => r["parameter"] != "fc3.bias"), r => Assert.Equal(r.Long("count"), r.Long("zeros")));
        var labels = StateDictFile.Load(Path.Combine(dir, "batch.pstsd"))["labels"].data<long>().ToArray();
        var expectedBias = Enumerable.Range(0, 10).Select(c => 0.1 - ((double)labels.Count(l => l == c) / batch)).ToList();
        var nonZero = ReadCsv(dir, "zero-init-nonzero-gradients");
        Assert.All(nonZero, r => Assert.Equal("fc3.bias", r["parameter"]));
        Assert.All(nonZero, r => Assert.Equal(expectedBias[(int)r.Long("index")], r.Number("gradient"), 1e-6));
        Assert.Equal(expectedBias.Count(b => b != 0), nonZero.Count);
        // The default initialisation gives every parameter some gradient.
        Assert.All(stats.Where(r => r["init"] == "default"), r => Assert.True(r.Number("l2") > 0, r["parameter"]));

        // Each histogram counts every value of its parameter once.
        var histograms = ReadCsv(dir, "gradient-histograms");
        foreach (var group in histograms.GroupBy(r => (Init: r["init"], Parameter: r["parameter"])))
        {
            Assert.Equal(Sizes[group.Key.Parameter], group.Sum(r => r.Long("count")));
        }

        AssertFigure(dir, "gradient-histograms-default", "gradient", "count", "conv1.weight", "fc1.weight", "fc3.bias", "default initialisation");
        AssertFigure(dir, "gradient-histograms-zero", "gradient", "count", "conv2.bias", "fc3.bias", "zero initialisation");
        AssertFigure(dir, "zero-gradient-share", "share of zero gradients", "default", "zero");
        Assert.Contains("the only non-zero gradients are in fc3.bias", File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    [Fact]
    public void Histogram_bins_cover_the_range_and_count_every_value()
    {
        var bins = GradientHistogram.Of([-1f, -0.5f, 0f, 0.25f, 1f], 4);
        // Width 0.5 from −1: [−1, −0.5) holds −1, [−0.5, 0) holds −0.5, [0, 0.5) holds 0 and 0.25, and the last bin keeps the maximum.
        Assert.Equal([1, 1, 2, 1], bins.Select(b => b.Count));
        Assert.Equal(-1, bins[0].Start);
        Assert.Equal(1, bins[^1].End);
        Assert.Equal([new GradientHistogram.Bin(0, 0, 3)], GradientHistogram.Of([0f, 0f, 0f], 10));
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
