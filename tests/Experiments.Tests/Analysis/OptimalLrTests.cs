using PsTraining.TestSupport;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.AnalysisFiles;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>
/// optimal-lr against η* and finite differences computed here in plain arithmetic, and its memory against what backprop
/// must keep: each unrolled step's gradient (a d-vector of float64) for the backward of η·∇L, so 8·d bytes more per step,
/// beside the few KiB of autograd's graph nodes that record the step whatever d. The memory is malloc's count of the
/// whole process (TensorMemoryPeak), so the main case runs the command line's process at the default scale, and the
/// in-process case relies on no other test allocating meanwhile (OneTestAtATime).
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

        // The memory is what this process measured: measured/.
        var measured = Path.Combine(dir, ExperimentContext.MeasuredFolder);
        AssertMemoryPerStep(Fits(measured), settings.MemoryFeatures);

        AssertFigure(dir, "one-step-loss", "learning rate η", "loss after one GD step", "η* closed form", "η* line search");
        AssertFigure(dir, "hypergradient", "learning rate η", "hypergradient dL_t/dη", "t = 1", "t = 20");
        AssertFigure(measured, "memory", "unrolled steps t", "tensor memory (MiB)", OptimalLr.Backprop, OptimalLr.ForwardPass, OptimalLr.ForwardMode);
        Assert.Contains($"| {OptimalLr.Backprop} |", File.ReadAllText(Path.Combine(measured, "summary.md")));
        Assert.Contains($"{ExperimentContext.MeasuredFolder}/", File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    [Fact]
    public void Backprop_keeps_8_bytes_more_per_feature_and_step_whatever_the_width_and_a_bad_size_is_refused()
    {
        // The part of backprop's memory that grows with d is exactly the d-vector of each step: between a 100-feature and a
        // 100,000-feature problem the slopes differ by 8·99,900 bytes per step (the graph's own few KiB cancel out).
        var narrowDir = Path.Combine(ExperimentRunner.Run(new OptimalLr(Small with { MemoryFeatures = 100 }), Path.Combine(_out, "narrow"), seed: 1),
            ExperimentContext.MeasuredFolder);
        var wideDir = Path.Combine(ExperimentRunner.Run(new OptimalLr(Small), Path.Combine(_out, "wide"), seed: 1), ExperimentContext.MeasuredFolder);
        var (narrow, wide) = (Fits(narrowDir), Fits(wideDir));
        AssertMemoryPerStep(narrow, 100);
        AssertMemoryPerStep(wide, Small.MemoryFeatures);
        var difference = wide[OptimalLr.Backprop].Number("slope_bytes_per_step") - narrow[OptimalLr.Backprop].Number("slope_bytes_per_step");
        Assert.True(Math.Abs(difference - (8.0 * (Small.MemoryFeatures - 100))) <= MeasurementNoise,
            $"the slopes differ by {difference} bytes per step, not 8·{Small.MemoryFeatures - 100}; narrow:\n{File.ReadAllText(Path.Combine(narrowDir, "memory.csv"))}\nwide:\n{File.ReadAllText(Path.Combine(wideDir, "memory.csv"))}");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentRunner.Run(new OptimalLr(Small with { MemoryFeatures = 0 }), _out, seed: 1));
        Assert.Contains("MemoryFeatures", error.Message);
    }

    /// <summary>
    /// Bytes per step that a slope may be off by. malloc's count is of the whole process: what the runtime allocates on its
    /// own threads meanwhile (the JIT, a few KiB at a time) jostles a point, and glibc's per-thread cache (tcache: up to 7
    /// freed blocks of each size below 1 KiB, which mallinfo2 counts as in use) hides some small frees and allocations,
    /// by up to some KiB; over t ≤ 32 that moves a slope by up to a few hundred bytes per step.
    /// </summary>
    private const double MeasurementNoise = 1024;

    /// <summary>
    /// Autograd's graph for one unrolled step beside its d-vector, whatever d (nodes, saved-variable records, tensor
    /// headers): about 5 KiB with libtorch 2.10; the bound is twice that.
    /// </summary>
    private const double GraphBytesPerStep = 10 * 1024;

    private static Dictionary<string, Dictionary<string, string>> Fits(string measured) =>
        ReadCsv(Path.Combine(measured, "memory-fit.csv")).ToDictionary(r => r["mode"]);

    /// <summary>
    /// Backprop keeps one more d-vector of float64 per unrolled step, and its graph; the forward pass and forward mode keep
    /// the same whatever t. (With libtorch's allocator counted alone, before TorchSharp, these held to the byte: slope 8·d,
    /// R² = 1, slopes 0. malloc's count adds the graph and the noise of the process; the d-dependent part is pinned to the
    /// byte by the narrow-against-wide comparison.)
    /// </summary>
    private static void AssertMemoryPerStep(Dictionary<string, Dictionary<string, string>> fits, int features)
    {
        var backprop = fits[OptimalLr.Backprop];
        Assert.InRange(backprop.Number("slope_bytes_per_step"), (8.0 * features) - MeasurementNoise, (8.0 * features) + GraphBytesPerStep + MeasurementNoise);
        // The hidden small blocks weigh most at the narrow width (a d-vector of 100 features is itself a small block).
        Assert.True(backprop.Number("r_squared") > 0.99, $"backprop's memory is not linear in t: R² = {backprop["r_squared"]}");
        Assert.InRange(fits[OptimalLr.ForwardPass].Number("slope_bytes_per_step"), -MeasurementNoise, MeasurementNoise);
        Assert.InRange(fits[OptimalLr.ForwardMode].Number("slope_bytes_per_step"), -MeasurementNoise, MeasurementNoise);
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
