using System.Globalization;
using PsTraining.Models.Data;
using PsTraining.Experiments;
using PsTraining.Models.Torch;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>lms</c>: a 3-weight linear model y = w0 + w1·x1 + w2·x2 fitted to noisy data, in closed form (the normal
/// equations) and by LMS (one update w ← w + r·(y − wᵀx)·x per sample, in data order), with a sweep of the rate r
/// that shows where LMS stops converging and diverges.
/// </summary>
public sealed class Lms(Lms.Settings? settings = null) : IExperiment
{
    /// <summary>The weights the data are drawn from: bias −1, then 1 and −2.</summary>
    public static IReadOnlyList<double> TrueWeights { get; } = [-1.0, 1.0, -2.0];

    /// <summary>x1 and x2 are uniform on [−InputRange, InputRange].</summary>
    public const double InputRange = 2;

    public string Name => "lms";

    public string Description => "least squares in closed form against LMS (per-sample updates) on a 3-weight linear model, and a learning-rate sweep up to divergence";

    /// <summary>The sizes of a run; <paramref name="Rates"/> is the sweep.</summary>
    public sealed record Settings(int Samples, int Epochs, double LearningRate, double NoiseStd, IReadOnlyList<double> Rates)
    {
        public static Settings Tiny { get; } = new(100, 20, 0.01, 0.01, [0.01, 0.3, 0.5, 1.0]);

        public static Settings Default { get; } = new(200, 20, 0.01, 0.01, [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0]);

        public void Validate()
        {
            if (Samples < TrueWeights.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(Samples), Samples, $"Samples must be at least {TrueWeights.Count} (one per weight)");
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
            if (!(NoiseStd >= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(NoiseStd), NoiseStd, "NoiseStd must be >= 0");
            }

            if (!(LearningRate > 0) || Rates.Count == 0 || Rates.Any(r => !(r > 0)))
            {
                throw new ArgumentOutOfRangeException(nameof(Rates), $"LearningRate ({LearningRate}) and every one of Rates ({string.Join(", ", Rates)}) must be > 0, and Rates not empty");
            }
        }
    }

    /// <summary>One LMS run: the weights and the MSE over the whole data set before the first epoch and after each.</summary>
    public sealed record LmsRun(double LearningRate, List<double[]> Weights, List<double> Mse)
    {
        /// <summary>The MSE is no longer finite, or ends above where it started.</summary>
        public bool Diverged => !double.IsFinite(Mse[^1]) || Mse[^1] > Mse[0];
    }

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Default));

    private static void Run(ExperimentContext context, Settings settings)
    {
        settings.Validate();
        using var problem = Generate(settings.Samples, settings.NoiseStd, context.Seed);
        problem.WriteCsv(context, "data");
        var closedForm = problem.NormalEquationsSolution();
        var closedFormMse = problem.Loss(closedForm);

        context.Progress($"  LMS, rate {settings.LearningRate}, {settings.Epochs} epochs ...");
        var main = Descend(problem, settings.LearningRate, settings.Epochs);
        var sweep = settings.Rates.Select(rate =>
        {
            context.Progress($"  sweep: rate {rate} ...");
            return Descend(problem, rate, settings.Epochs);
        }).ToList();

        context.WriteCsv("solutions", ["method", "w0", "w1", "w2", "mse"],
        [
            ["closed form", .. closedForm.Cast<object?>(), closedFormMse],
            [$"LMS r={settings.LearningRate.ToString(CultureInfo.InvariantCulture)}", .. main.Weights[^1].Cast<object?>(), main.Mse[^1]],
        ]);
        context.WriteCsv("lms-epochs", ["epoch", "w0", "w1", "w2", "mse"],
            main.Weights.Select((w, epoch) => (IReadOnlyList<object?>)[epoch, w[0], w[1], w[2], main.Mse[epoch]]));
        context.WriteCsv("sweep", ["learning_rate", "epoch", "mse"],
            sweep.SelectMany(r => r.Mse.Select((mse, epoch) => (IReadOnlyList<object?>)[r.LearningRate, epoch, double.IsFinite(mse) ? mse : null])));
        context.WriteCsv("sweep-summary", ["learning_rate", "final_mse", "diverged"],
            sweep.Select(r => (IReadOnlyList<object?>)[r.LearningRate, double.IsFinite(r.Mse[^1]) ? r.Mse[^1] : null, r.Diverged]));

        AddFigures(context, settings, closedForm, closedFormMse, main, sweep);
        Summarise(context, settings, closedForm, closedFormMse, main, sweep);
    }

    /// <summary>x0 = 1 (the bias), x1 and x2 uniform on [−2, 2], t = wᵀx + N(0, σ²) with w = <see cref="TrueWeights"/>.</summary>
    public static LeastSquaresProblem Generate(int samples, double noiseStd, long seed)
    {
        var rng = new SeededRandom(seed);
        var inputs = new double[samples][];
        var targets = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            inputs[i] = [1.0, rng.Uniform(-InputRange, InputRange), rng.Uniform(-InputRange, InputRange)];
            targets[i] = LeastSquaresProblem.Dot(inputs[i], TrueWeights) + (noiseStd * rng.NextGaussian());
        }

        return new LeastSquaresProblem(inputs, targets);
    }

    /// <summary>LMS from w = 0: SGD with batch 1 on ½(wᵀx − y)², whose gradient step is exactly w + r·e·x.</summary>
    private static LmsRun Descend(LeastSquaresProblem problem, double rate, int epochs)
    {
        using var w = problem.ZeroWeights();
        using var sgd = optim.SGD([w], rate);
        var rows = Enumerable.Range(0, problem.Samples).Select(i => tensor(new long[] { i }).DetachFromDisposeScope()).ToList();
        try
        {
            var weights = new List<double[]> { w.data<double>().ToArray() };
            var mse = new List<double> { problem.Loss(weights[0]) };
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                foreach (var row in rows)
                {
                    using var scope = NewDisposeScope();
                    sgd.zero_grad();
                    problem.Loss(w, row).mul(Scalars.Half).backward();
                    sgd.step();
                }

                weights.Add(w.data<double>().ToArray());
                mse.Add(problem.Loss(weights[^1]));
            }

            return new LmsRun(rate, weights, mse);
        }
        finally
        {
            rows.ForEach(r => r.Dispose());
        }
    }

    private static void AddFigures(ExperimentContext context, Settings settings, double[] closedForm, double closedFormMse, LmsRun main, List<LmsRun> sweep)
    {
        var lms = $"LMS (r = {settings.LearningRate.ToString(CultureInfo.InvariantCulture)})";
        var weightRows = main.Weights.SelectMany((w, epoch) => w.Select((value, j) => new { series = $"w{j} {lms}", epoch, value }))
            .Concat(closedForm.SelectMany((value, j) => new[] { 0, settings.Epochs }.Select(epoch => new { series = $"w{j} closed form", epoch, value })));
        context.AddFigure("weights", VegaLite.Line("LMS weights per epoch against the closed-form solution", weightRows,
            new("epoch", "epoch"), new("value", "weight value"), new("series", "weight", "nominal")));

        var lossRows = main.Mse.Select((mse, epoch) => new { series = lms, epoch, mse })
            .Concat(new[] { 0, settings.Epochs }.Select(epoch => new { series = "closed form", epoch, mse = closedFormMse }));
        context.AddFigure("loss", VegaLite.Line("Training MSE per epoch", lossRows, new("epoch", "epoch"), new("mse", "MSE") { Log = true },
            new("series", "method", "nominal"), points: true));

        var labels = sweep.Select(r => r.LearningRate.ToString(CultureInfo.InvariantCulture)).ToList();
        var sweepRows = sweep.SelectMany(r => r.Mse.Select((mse, epoch) => new { rate = r.LearningRate.ToString(CultureInfo.InvariantCulture), epoch, mse }))
            .Where(p => double.IsFinite(p.mse) && p.mse > 0); // a diverged run's line ends where its MSE overflows
        // The y axis stops at 1e4 (lines clipped there) so that a diverging run does not flatten the converging ones.
        var sweepChart = VegaLite.Line("LMS training MSE per epoch, by learning rate (clipped at 1e4)", sweepRows,
            new("epoch", "epoch"), new("mse", "MSE") { Log = true, Domain = [Math.Min(1e-5, closedFormMse), 1e4] }, new("rate", "learning rate r", "nominal") { Sort = labels }, points: true);
        sweepChart["mark"]!["clip"] = true;
        context.AddFigure("learning-rate-sweep", sweepChart);
    }

    private static void Summarise(ExperimentContext context, Settings settings, double[] closedForm, double closedFormMse, LmsRun main, List<LmsRun> sweep)
    {
        string Vector(double[] w) => "[" + string.Join(", ", w.Select(v => v.ToString("F8", CultureInfo.InvariantCulture))) + "]";
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"{settings.Samples} samples, x1 and x2 uniform on [−{InputRange}, {InputRange}], t = −1 + x1 − 2·x2 + N(0, {settings.NoiseStd}²); LMS from w = 0, {settings.Epochs} epochs in data order, float64."));
        context.WriteSummary();
        context.WriteSummary("| method | w0 | w1 | w2 | MSE |");
        context.WriteSummary("| --- | ---: | ---: | ---: | ---: |");
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| closed form | {closedForm[0]:F8} | {closedForm[1]:F8} | {closedForm[2]:F8} | {closedFormMse:0.000000e+00} |"));
        var end = main.Weights[^1];
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| LMS, r = {settings.LearningRate} | {end[0]:F8} | {end[1]:F8} | {end[2]:F8} | {main.Mse[^1]:0.000000e+00} |"));
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"LMS ends {LeastSquaresProblem.Distance(end, closedForm):0.00e+00} from the closed-form weights {Vector(closedForm)}, its MSE {main.Mse[^1] / closedFormMse - 1:P2} above the least possible."));
        context.WriteSummary();
        context.WriteSummary("| rate r | MSE after the last epoch | diverged |");
        context.WriteSummary("| ---: | ---: | --- |");
        foreach (var r in sweep)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {r.LearningRate} | {(double.IsFinite(r.Mse[^1]) ? r.Mse[^1].ToString("0.000e+00", CultureInfo.InvariantCulture) : "overflow")} | {(r.Diverged ? "yes" : "no")} |"));
        }

        var firstDiverging = sweep.Where(r => r.Diverged).Select(r => (double?)r.LearningRate).Min();
        context.WriteSummary();
        context.WriteSummary(firstDiverging is { } rate
            ? string.Create(CultureInfo.InvariantCulture, $"The smallest rate of the sweep that diverges is r = {rate}.")
            : "No rate of the sweep diverges.");
    }
}
