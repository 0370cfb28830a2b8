using PsTraining.Sim.Analysis;
using PsTraining.Sim.Experiments;
using static PsTraining.Sim.Tests.Analysis.AnalysisFiles;
using static PsTraining.Sim.Tests.Analysis.ResultFiles;

namespace PsTraining.Sim.Tests.Analysis;

/// <summary>
/// optimal-lr against η* and finite differences computed here in plain arithmetic, and its memory against what backprop
/// must keep: each unrolled step's gradient (a d-vector of float64) for the backward of η·∇L, counted by libtorch's
/// allocator, so exactly 8·d bytes more per step. The main case runs the command line's process at the default scale.
/// </summary>
public sealed class OptimalLrTests : IDisposable
{
    private static readonly OptimalLr.Settings Small = OptimalLr.Settings.Tiny;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-optimal-lr-").FullName;

    [Fact]
    public void Optimal_rate_hypergradients_and_memory_match_the_references()
    {
        var (code, output, error) = SimProcess.Run(TimeSpan.FromMinutes(3), "experiment", "run", "optimal-lr", "--out", _out, "--seed", "7");
        Assert.True(code == 0, output + error);
        var dir = Path.Combine(_out, "optimal-lr");
        var settings = OptimalLr.Settings.Default;
        var (x, t) = ReadData(Path.Combine(dir, "data.csv"));

        // η* = (n/2)·(aᵀXXᵀa)/‖XXᵀa‖², a = Xw0 − t = −t.
        var a = t.Select(v => -v).ToArray();
        var xxta = x.Select(row => Dot(row, Enumerable.Range(0, row.Length).Select(j => x.Select((r, i) => r[j] * a[i]).Sum()).ToArray())).ToArray();
        var optimum = x.Length / 2.0 * Dot(a, xxta) / Dot(xxta, xxta);
        var rates = ReadCsv(Path.Combine(dir, "optimal-rate.csv")).ToDictionary(r => r["method"], r => r.Number("rate"));
        Assert.Equal(optimum, rates["closed form"], 1e-12 * optimum);
        Assert.Equal(optimum, rates["line search"], 1e-6 * optimum);

        var rows = ReadCsv(Path.Combine(dir, "hypergradient.csv"));
        Assert.Equal(settings.UnrolledSteps.Count * settings.RateFactors.Count, rows.Count);
        foreach (var group in rows.GroupBy(r => (int)r.Number("steps")))
        {
            var scale = group.Max(r => Math.Abs(r.Number("autograd")));
            foreach (var row in group)
            {
                var eta = row.Number("rate");
                var h = 1e-5 * eta;
                var finiteDifference = (Loss(x, t, eta + h, group.Key) - Loss(x, t, eta - h, group.Key)) / (2 * h);
                Assert.Equal(Loss(x, t, eta, group.Key), row.Number("loss"), 1e-12);
                Assert.True(Math.Abs(row.Number("autograd") - finiteDifference) < 1e-6 * scale,
                    $"t = {group.Key}, η = {eta}: autograd {row.Number("autograd")}, finite differences {finiteDifference}");
                Assert.Equal(row.Number("autograd"), row.Number("forward_mode"), 1e-12 * scale);
            }
        }

        // The one-step loss is smallest at η*, so its derivative vanishes there.
        var atOptimum = rows.Single(r => r["steps"] == "1" && Math.Abs(r.Number("rate") - optimum) < 1e-9 * optimum);
        Assert.True(Math.Abs(atOptimum.Number("autograd")) < 1e-12, $"dL_1/dη at η* is {atOptimum.Number("autograd")}");

        var fits = ReadCsv(Path.Combine(dir, "memory-fit.csv")).ToDictionary(r => r["mode"]);
        var backprop = fits[OptimalLr.Backprop];
        AssertMemoryPerStep(fits, settings.MemoryFeatures);

        AssertFigure(dir, "one-step-loss", "learning rate η", "loss after one GD step", "η* closed form", "η* line search");
        AssertFigure(dir, "hypergradient", "learning rate η", "hypergradient dL_t/dη", "t = 1", "t = 20");
        AssertFigure(dir, "memory", "unrolled steps t", "tensor memory (MiB)", OptimalLr.Backprop, OptimalLr.ForwardPass, OptimalLr.ForwardMode);
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains($"| {OptimalLr.Backprop} |", summary);
    }

    [Fact]
    public void A_narrow_problem_is_measured_exactly_too_and_a_bad_size_is_refused()
    {
        // The allocator's count does not depend on what the process did before: a 100-feature problem in this process.
        var dir = ExperimentCommand.Run(new OptimalLr(Small with { MemoryFeatures = 100 }), _out, seed: 1);
        AssertMemoryPerStep(ReadCsv(Path.Combine(dir, "memory-fit.csv")).ToDictionary(r => r["mode"]), 100);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentCommand.Run(new OptimalLr(Small with { MemoryFeatures = 0 }), _out, seed: 1));
        Assert.Contains("MemoryFeatures", error.Message);
    }

    /// <summary>Backprop keeps one more d-vector of float64 per unrolled step; the forward pass and forward mode keep the same whatever t.</summary>
    private static void AssertMemoryPerStep(Dictionary<string, Dictionary<string, string>> fits, int features)
    {
        var backprop = fits[OptimalLr.Backprop];
        Assert.Equal(8.0 * features, backprop.Number("slope_bytes_per_step"), 1e-6);
        Assert.Equal(1, backprop.Number("r_squared"), 1e-12);
        Assert.Equal(0, fits[OptimalLr.ForwardPass].Number("slope_bytes_per_step"), 1e-6);
        Assert.Equal(0, fits[OptimalLr.ForwardMode].Number("slope_bytes_per_step"), 1e-6);
    }

    /// <summary>(1/n)‖Xw_t − t‖² after <paramref name="steps"/> GD steps w ← w − η·(2/n)·Xᵀ(Xw − t) from w = 0.</summary>
    private static double Loss(double[][] x, double[] t, double eta, int steps)
    {
        var w = new double[x[0].Length];
        for (var step = 0; step < steps; step++)
        {
            var residual = x.Select((row, i) => Dot(row, w) - t[i]).ToArray();
            for (var j = 0; j < w.Length; j++)
            {
                w[j] -= eta * 2.0 / x.Length * x.Select((row, i) => row[j] * residual[i]).Sum();
            }
        }

        return x.Select((row, i) => Math.Pow(Dot(row, w) - t[i], 2)).Average();
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
