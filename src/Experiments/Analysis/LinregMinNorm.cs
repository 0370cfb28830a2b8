using System.Globalization;
using System.Text.Json.Nodes;
using PsTraining.Models.Data;
using PsTraining.Experiments;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>linreg-minnorm</c>: overparameterised least squares (d &gt; n). From w0 = 0, GD and minibatch SGD stay in the row
/// space of X and so converge to the minimum-norm solution w* = Xᵀ(XXᵀ)⁻¹t; RMSProp and Adam rescale each coordinate,
/// leave that space, and end at another solution. Also the 2-D case x = [2, 1], t = 2, whose minimum-norm solution is [0.8, 0.4].
/// </summary>
public sealed class LinregMinNorm(LinregMinNorm.Settings? settings = null) : IExperiment
{
    /// <summary>The optimisers compared, in the order of the tables and legends.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["GD", "minibatch SGD", "RMSProp", "Adam"];

    public string Name => "linreg-minnorm";

    public string Description => "overparameterised least squares from w0 = 0: GD and SGD find the minimum-norm solution, RMSProp and Adam do not";

    /// <summary>
    /// The sizes of a run. GD's rate is 1/((2/n)‖X‖²_F) and SGD's 1/(2·max‖xᵢ‖²), both at most 1/L, so they need no
    /// tuning; RMSProp's rate decays by <paramref name="RmsPropDecay"/> per step because at a constant rate it hovers
    /// around a solution instead of settling.
    /// </summary>
    public sealed record Settings(int Samples, int Features, int Steps, int BatchSize, double AdaptiveLearningRate, double RmsPropDecay)
    {
        public static Settings Tiny { get; } = new(6, 20, 2000, 2, 0.01, 0.997);

        public static Settings Default { get; } = new(10, 40, 3000, 2, 0.01, 0.997);

        public static Settings Full { get; } = new(50, 200, 10000, 5, 0.01, 0.999);

        public void Validate()
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(Samples, 1, nameof(Samples));
            if (Features <= Samples)
            {
                throw new ArgumentOutOfRangeException(nameof(Features), Features, $"Features must exceed Samples ({Samples}): the problem must be overparameterised");
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
            if (BatchSize < 1 || BatchSize > Samples)
            {
                throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must be in 1..{Samples}");
            }

            if (!(AdaptiveLearningRate > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(AdaptiveLearningRate), AdaptiveLearningRate, "AdaptiveLearningRate must be > 0");
            }

            if (!(RmsPropDecay is > 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(RmsPropDecay), RmsPropDecay, "RmsPropDecay must be in (0, 1]");
            }
        }
    }

    /// <summary>One optimiser's run on one case: its rate, its path of weights, and where it ended.</summary>
    public sealed record Outcome(string Case, string Optimizer, double LearningRate, List<double[]> Path, double[] MinimumNorm, LeastSquaresProblem Problem)
    {
        public double[] End => Path[^1];

        public double DistanceToMinimumNorm => LeastSquaresProblem.Distance(End, MinimumNorm);

        public double Residual => Math.Sqrt(Problem.Loss(End) * Problem.Samples);

        public double Norm => Math.Sqrt(LeastSquaresProblem.Dot(End, End));
    }

    public const string TwoDimensional = "2-D";

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    private static void Run(ExperimentContext context, Settings settings)
    {
        settings.Validate();
        var wide = $"d={settings.Features} n={settings.Samples}"; // no comma: it is a CSV cell
        using var random = LeastSquaresProblem.Gaussian(settings.Samples, settings.Features, context.Seed);
        using var plane = new LeastSquaresProblem([[2.0, 1.0]], [2.0]);
        random.WriteCsv(context, "data");
        plane.WriteCsv(context, "data-2d");

        var runs = new List<Outcome>();
        foreach (var (label, problem) in new[] { (wide, random), (TwoDimensional, plane) })
        {
            var minimumNorm = problem.MinimumNormSolution();
            foreach (var optimizer in Optimizers)
            {
                context.Progress($"  {label}: {optimizer}, {settings.Steps} steps ...");
                var (rate, path) = Descend(problem, optimizer, settings, context.Seed);
                runs.Add(new Outcome(label, optimizer, rate, path, minimumNorm, problem));
            }
        }

        context.WriteCsv("endpoints", ["case", "optimizer", "learning_rate", "distance_to_minimum_norm", "residual_norm", "weight_norm"],
            runs.Select(r => (IReadOnlyList<object?>)[r.Case, r.Optimizer, r.LearningRate, r.DistanceToMinimumNorm, r.Residual, r.Norm]));
        context.WriteCsv("weights", ["case", "optimizer", "index", "value", "minimum_norm_value"],
            runs.SelectMany(r => r.End.Select((v, j) => (IReadOnlyList<object?>)[r.Case, r.Optimizer, j, v, r.MinimumNorm[j]])));
        context.WriteCsv("curves", ["case", "optimizer", "step", "distance_to_minimum_norm", "loss"],
            runs.SelectMany(r => r.Path.Select((w, step) => (IReadOnlyList<object?>)[r.Case, r.Optimizer, step, LeastSquaresProblem.Distance(w, r.MinimumNorm), r.Problem.Loss(w)])));

        AddFigures(context, runs, wide, settings.Steps);
        Summarise(context, runs, settings);
    }

    /// <summary>Runs one optimiser from w0 = 0; returns its (initial) learning rate and the weights after every step.</summary>
    private static (double Rate, List<double[]> Path) Descend(LeastSquaresProblem problem, string optimizer, Settings settings, long seed)
    {
        using var w = problem.ZeroWeights();
        switch (optimizer)
        {
            case "GD":
            {
                var rate = 1 / (2.0 / problem.Samples * problem.Inputs.Sum(x => LeastSquaresProblem.Dot(x, x)));
                using var sgd = optim.SGD([w], rate);
                return (rate, problem.Descend(w, sgd, settings.Steps));
            }

            case "minibatch SGD":
            {
                var rate = 1 / (2 * problem.Inputs.Max(x => LeastSquaresProblem.Dot(x, x)));
                return (rate, MinibatchDescend(problem, w, rate, Math.Min(settings.BatchSize, problem.Samples), settings.Steps, seed));
            }

            case "RMSProp":
            {
                using var rmsprop = optim.RMSProp([w], settings.AdaptiveLearningRate);
                var schedule = optim.lr_scheduler.ExponentialLR(rmsprop, settings.RmsPropDecay);
                return (settings.AdaptiveLearningRate, problem.Descend(w, rmsprop, settings.Steps, schedule: schedule));
            }

            case "Adam":
            {
                using var adam = optim.Adam([w], settings.AdaptiveLearningRate);
                return (settings.AdaptiveLearningRate, problem.Descend(w, adam, settings.Steps));
            }

            default:
                throw new ArgumentException($"unknown optimizer '{optimizer}': expected one of {string.Join(", ", Optimizers)}", nameof(optimizer));
        }
    }

    /// <summary>SGD on minibatches of <paramref name="batch"/> samples, a new seeded order each epoch.</summary>
    private static List<double[]> MinibatchDescend(LeastSquaresProblem problem, Parameter w, double rate, int batch, int steps, long seed)
    {
        using var sgd = optim.SGD([w], rate);
        var path = new List<double[]> { w.data<double>().ToArray() };
        var perEpoch = (problem.Samples + batch - 1) / batch;
        for (var step = 0; step < steps; step++)
        {
            var order = DeterministicShuffle.Permutation(problem.Samples, seed, step / perEpoch);
            var rows = order.Skip(step % perEpoch * batch).Take(batch).Select(i => (long)i).ToArray();
            using (NewDisposeScope())
            {
                sgd.zero_grad();
                problem.Loss(w, tensor(rows)).backward();
                sgd.step();
            }

            path.Add(w.data<double>().ToArray());
        }

        return path;
    }

    private static void AddFigures(ExperimentContext context, List<Outcome> runs, string wide, int steps)
    {
        var every = Math.Max(1, steps / 300); // a few hundred points per line keep the SVG small
        var optimizer = new VegaLite.Channel("optimizer", "optimizer", "nominal") { Sort = Optimizers };
        var distances = runs.Where(r => r.Case == wide)
            .SelectMany(r => r.Path.Select((w, step) => (r.Optimizer, step, distance: LeastSquaresProblem.Distance(w, r.MinimumNorm))))
            .Where(p => p.step % every == 0 && p.distance > 0)
            .Select(p => new { optimizer = p.Optimizer, step = p.step, distance = p.distance });
        context.AddFigure("distance-to-minimum-norm", VegaLite.Line($"Distance to the minimum-norm solution ({wide}, w0 = 0)", distances,
            new("step", "step"), new("distance", "‖w − w*‖") { Log = true }, optimizer));

        var paths = runs.Where(r => r.Case == TwoDimensional && r.Optimizer != "minibatch SGD") // with one sample, SGD is GD
            .SelectMany(r => r.Path.Select((w, step) => new { series = r.Optimizer, step, w1 = w[0], w2 = w[1] }))
            .Where(p => p.step % every == 0 || p.step < 50);
        var series = new VegaLite.Channel("series", "series", "nominal"); // one legend for the three layers
        var pathLayer = VegaLite.Layer("line", paths, new("w1", "w1"), new("w2", "w2"), series);
        pathLayer["encoding"]!["order"] = new JsonObject { ["field"] = "step", ["type"] = "quantitative" }; // draw in time order, not by w1
        var solutions = new[] { 0.0, 1.0 }.Select(w1 => new { series = "solutions", w1, w2 = 2 - (2 * w1) });
        var minimumNorm = runs.First(r => r.Case == TwoDimensional).MinimumNorm;
        context.AddFigure("two-dimensional-paths", VegaLite.Layered("Paths from w0 = 0 to the solutions 2w1 + w2 = 2 (RMSProp under Adam)",
            VegaLite.Layer("line", solutions, new("w1", "w1"), new("w2", "w2"), series),
            pathLayer,
            VegaLite.Layer("point", new[] { new { series = "minimum norm", w1 = minimumNorm[0], w2 = minimumNorm[1] } }, new("w1", "w1"), new("w2", "w2"), series)));
    }

    private static void Summarise(ExperimentContext context, List<Outcome> runs, Settings settings)
    {
        string Vector(double[] w) => "[" + string.Join(", ", w.Take(4).Select(v => v.ToString("G9", CultureInfo.InvariantCulture))) + (w.Length > 4 ? ", …" : "") + "]";
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Loss (1/n)‖Xw − t‖², w0 = 0, {settings.Steps} steps, float64. X has N(0, 1/d) entries, t N(0, 1). GD rate 1/((2/n)‖X‖²_F), minibatch SGD (batch {settings.BatchSize}) rate 1/(2·max‖xᵢ‖²); RMSProp (α 0.99) and Adam (β 0.9, 0.999) rate {settings.AdaptiveLearningRate}, RMSProp's decayed ×{settings.RmsPropDecay} per step."));
        context.WriteSummary();
        context.WriteSummary("| case | optimizer | rate | ‖w − w*‖ | ‖Xw − t‖ | ‖w‖ | end point |");
        context.WriteSummary("| --- | --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in runs)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Case} | {r.Optimizer} | {r.LearningRate:G4} | {r.DistanceToMinimumNorm:0.00e+00} | {r.Residual:0.00e+00} | {r.Norm:F4} | {Vector(r.End)} |"));
        }

        var plane = runs.Where(r => r.Case == TwoDimensional).ToDictionary(r => r.Optimizer);
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"2-D case x = [2, 1], t = 2: the minimum-norm solution is {Vector(plane["GD"].MinimumNorm)}; GD ends at {Vector(plane["GD"].End)}, RMSProp at {Vector(plane["RMSProp"].End)} and Adam at {Vector(plane["Adam"].End)}. RMSProp and Adam divide each coordinate's gradient by its own running scale; both gradient coordinates are 2(2w1 + w2 − 2)·[2, 1], so the two coordinates take the same steps and the path runs along w1 = w2 to the solution [2/3, 2/3], not to the minimum-norm one."));
    }
}
