using System.Globalization;
using System.Text.Json.Nodes;
using PsTraining.Models.Data;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>bias-variance</c>: y = x + sin(1.5x) + ε, ε ~ N(0, 0.3), x uniform on [0, 10]. Polynomial fits of a small sample;
/// bias², variance and test MSE against the degree over many training sets and one fixed test set; and ridge on
/// standardised features against the unregularised fit. The random draws are written to CSV so that an independent
/// reference can recompute every number from the same data.
/// </summary>
public sealed class BiasVariance(BiasVariance.Settings? settings = null) : IExperiment
{
    public string Name => "bias-variance";

    public string Description => "polynomial fits of y = x + sin(1.5x) + noise: bias^2, variance and test MSE against degree; ridge against no regularisation";

    /// <summary>The sizes of a run (the same with --full: it takes well under a second).</summary>
    public sealed record Settings(int SamplePoints, int TrainingSets, int TrainingPoints, int TestPoints, int MaxDegree, int RidgeDegree, double RidgeAlpha)
    {
        public static Settings Default { get; } = new(20, 100, 40, 10, 15, 10, 10);

        /// <summary>The degrees drawn over the sample.</summary>
        public static IReadOnlyList<int> SampleDegrees { get; } = [1, 3, 10];

        public void Validate()
        {
            if (SamplePoints <= SampleDegrees.Max() || TrainingPoints <= Math.Max(MaxDegree, RidgeDegree))
            {
                throw new ArgumentException($"each fit needs more points than its degree: sample points must exceed {SampleDegrees.Max()} (got {SamplePoints}) and training points must exceed {Math.Max(MaxDegree, RidgeDegree)} (got {TrainingPoints})");
            }

            if (TrainingSets < 2 || TestPoints < 1 || MaxDegree < 1 || RidgeDegree < 1 || !(RidgeAlpha > 0))
            {
                throw new ArgumentException($"training sets must be ≥ 2, test points ≥ 1, degrees ≥ 1 and the ridge α > 0; got {this}");
            }
        }
    }

    /// <summary>Squared bias, variance (over the training sets) and mean squared error against the noisy test targets.</summary>
    public sealed record Decomposition(double Bias2, double Variance, double TestMse);

    public void Run(ExperimentContext context)
    {
        var s = settings ?? Settings.Default;
        s.Validate();
        var random = new SeededRandom(context.Seed);
        var sample = RegressionData.Draw(s.SamplePoints, random);
        var test = RegressionData.Draw(s.TestPoints, random);
        var training = Enumerable.Range(0, s.TrainingSets).Select(_ => RegressionData.Draw(s.TrainingPoints, random)).ToList();
        WriteDraws(context, sample, test, training);

        DrawSampleFits(context, sample);

        var testX = test.X;
        var testY = Targets(test);
        Decomposition Decompose(Func<double[], double[], Func<double, double>> fit) =>
            Measure(training.Select(t => fit(t.X, Targets(t))).ToList(), testX, testY);

        var byDegree = Enumerable.Range(1, s.MaxDegree)
            .Select(d => (Degree: d, Result: Decompose((x, y) => PolynomialFit.Fit(x, y, d).Predict)))
            .ToList();
        context.WriteCsv("bias-variance", ["degree", "bias2", "variance", "test_mse"],
            byDegree.Select(r => (IReadOnlyList<object?>)[r.Degree, r.Result.Bias2, r.Result.Variance, r.Result.TestMse]));
        var best = byDegree.MinBy(r => r.Result.TestMse);
        context.AddFigure("bias-variance", VegaLite.Line($"Bias², variance and test MSE over {s.TrainingSets} training sets of {s.TrainingPoints} points", byDegree
                .SelectMany(r => new[] { ("bias²", r.Result.Bias2), ("variance", r.Result.Variance), ("test MSE", r.Result.TestMse) }
                    .Select(q => new { degree = r.Degree, quantity = q.Item1, value = q.Item2 })),
            new("degree", "polynomial degree"), new("value", "error (log scale)") { Log = true },
            new("quantity", "quantity", "nominal") { Sort = ["bias²", "variance", "test MSE"] }, points: true));

        var plain = byDegree[s.RidgeDegree - 1].Result;
        var ridge = Decompose((x, y) => StandardisedRidge.Fit(x, y, s.RidgeDegree, s.RidgeAlpha).Predict);
        var ridgeLabel = $"ridge α={s.RidgeAlpha.ToString(CultureInfo.InvariantCulture)}";
        var plainLabel = "unregularised";
        context.WriteCsv("ridge", ["model", "degree", "alpha", "bias2", "variance", "test_mse"],
        [
            [plainLabel, s.RidgeDegree, 0.0, plain.Bias2, plain.Variance, plain.TestMse],
            [ridgeLabel, s.RidgeDegree, s.RidgeAlpha, ridge.Bias2, ridge.Variance, ridge.TestMse],
        ]);
        context.AddFigure("ridge", RidgeChart(s.RidgeDegree, [(plainLabel, plain), (ridgeLabel, ridge)]));

        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"f(x) = x + sin(1.5x), noise variance {RegressionData.NoiseVariance}; {s.TrainingSets} training sets of {s.TrainingPoints} points, one test set of {s.TestPoints} points; the draws are in draws-*.csv."));
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"- Best degree (least test MSE): **{best.Degree}**, test MSE {best.Result.TestMse:G6} (bias² {best.Result.Bias2:G6}, variance {best.Result.Variance:G6})."));
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"- Degree {s.RidgeDegree}, unregularised: bias² {plain.Bias2:G6}, variance {plain.Variance:G6}, test MSE {plain.TestMse:G6}."));
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"- Degree {s.RidgeDegree}, {ridgeLabel} on standardised features: bias² {ridge.Bias2:G6}, variance {ridge.Variance:G6}, test MSE {ridge.TestMse:G6} (bias {(ridge.Bias2 > plain.Bias2 ? "up" : "not up")}, variance {(ridge.Variance < plain.Variance ? "down" : "not down")})."));
        context.WriteSummary();
        context.WriteSummary("| degree | bias² | variance | test MSE |");
        context.WriteSummary("| ---: | ---: | ---: | ---: |");
        foreach (var (degree, r) in byDegree)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {degree} | {r.Bias2:G6} | {r.Variance:G6} | {r.TestMse:G6} |"));
        }
    }

    private static double[] Targets((double[] X, double[] Noise) draws) => [.. draws.X.Select((x, i) => RegressionData.TrueFunction(x) + draws.Noise[i])];

    /// <summary>Bias² and variance at the test inputs over the fitted models, and their mean squared error on the test targets.</summary>
    private static Decomposition Measure(IReadOnlyList<Func<double, double>> models, double[] testX, double[] testY)
    {
        double bias2 = 0, variance = 0, mse = 0;
        for (var j = 0; j < testX.Length; j++)
        {
            var predictions = models.Select(m => m(testX[j])).ToList();
            var mean = predictions.Average();
            bias2 += Math.Pow(mean - RegressionData.TrueFunction(testX[j]), 2);
            variance += predictions.Average(p => (p - mean) * (p - mean));
            mse += predictions.Average(p => (p - testY[j]) * (p - testY[j]));
        }

        return new(bias2 / testX.Length, variance / testX.Length, mse / testX.Length);
    }

    private static void WriteDraws(ExperimentContext context, (double[] X, double[] Noise) sample, (double[] X, double[] Noise) test, List<(double[] X, double[] Noise)> training)
    {
        static IEnumerable<IReadOnlyList<object?>> Rows((double[] X, double[] Noise) d) => d.X.Select((x, i) => (IReadOnlyList<object?>)[x, d.Noise[i]]);
        context.WriteCsv("draws-sample", ["x", "noise"], Rows(sample));
        context.WriteCsv("draws-test", ["x", "noise"], Rows(test));
        context.WriteCsv("draws-training", ["set", "x", "noise"],
            training.SelectMany((t, k) => Rows(t).Select(r => (IReadOnlyList<object?>)[k, .. r])));
    }

    /// <summary>The sample, f, and the fits of <see cref="Settings.SampleDegrees"/> on a fine grid (fits.csv and the "fits" figure).</summary>
    private static void DrawSampleFits(ExperimentContext context, (double[] X, double[] Noise) sample)
    {
        var y = Targets(sample);
        var fits = Settings.SampleDegrees.Select(d => PolynomialFit.Fit(sample.X, y, d)).ToList();
        var grid = Enumerable.Range(0, 201).Select(i => RegressionData.XMin + (i * (RegressionData.XMax - RegressionData.XMin) / 200)).ToList();
        context.WriteCsv("fits", ["x", "f", .. fits.Select(f => $"g{f.Degree}")],
            grid.Select(x => (IReadOnlyList<object?>)[x, RegressionData.TrueFunction(x), .. fits.Select(f => (object?)f.Predict(x))]));

        var curves = grid.SelectMany(x => fits.Select(f => new { x, y = f.Predict(x), curve = $"g{f.Degree}" })
            .Prepend(new { x, y = RegressionData.TrueFunction(x), curve = "f(x) = x + sin(1.5x)" }));
        var yAxis = new VegaLite.Channel("y", "y") { Domain = [-2, 13] };
        var lines = VegaLite.Layer("line", curves, new("x", "x"), yAxis,
            new VegaLite.Channel("curve", "curve", "nominal") { Sort = ["f(x) = x + sin(1.5x)", .. fits.Select(f => $"g{f.Degree}")] });
        lines["mark"] = new JsonObject { ["type"] = "line", ["clip"] = true }; // a high-degree fit may leave the plotted range
        var points = VegaLite.Layer("point", sample.X.Select((x, i) => new { x, y = y[i] }), new("x", "x"), yAxis);
        context.AddFigure("fits", VegaLite.WithWholeLegendLabels(VegaLite.Layered($"Polynomial fits of {sample.X.Length} noisy points", points, lines)));
    }

    private static JsonObject RidgeChart(int degree, IReadOnlyList<(string Model, Decomposition Result)> models)
    {
        // Points, not bars: the quantities span orders of magnitude, and bars have no base on a log scale.
        var rows = models.SelectMany(m => new[] { ("bias²", m.Result.Bias2), ("variance", m.Result.Variance), ("test MSE", m.Result.TestMse) }
            .Select(q => new { model = m.Model, quantity = q.Item1, value = q.Item2 }));
        var spec = VegaLite.Chart($"Degree {degree}: ridge on standardised features against the unregularised fit", "point", rows,
            new("quantity", "quantity", "nominal") { Sort = ["bias²", "variance", "test MSE"] }, new("value", "error (log scale)") { Log = true },
            new VegaLite.Channel("model", "model", "nominal"));
        spec["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 120 };
        return spec;
    }
}
