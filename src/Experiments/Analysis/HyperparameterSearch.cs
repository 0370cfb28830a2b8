using System.Globalization;
using System.Text.Json.Nodes;
using PsTraining.Models.Data;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>hyperparameter-search</c>: the cost of a full grid (10 × 6 × 5 values, 10 epochs each, 2 min an epoch), the random
/// trials that reach the top 5 % with 95 % and 99.5 % confidence, and a real search over a small MLP on a Fashion-MNIST
/// subset: random search against a grid of the same budget, over the learning rate and the hidden width.
/// </summary>
public sealed class HyperparameterSearch(HyperparameterSearch.Settings? settings = null) : IExperiment
{
    public const string GridStrategy = "grid";
    public const string RandomStrategy = "random";

    public string Name => "hyperparameter-search";

    public string Description => "grid cost and random-search trials (closed form), then random against grid search of the same budget on a small MLP";

    /// <summary>The grid-cost example: values per hyperparameter, epochs per configuration, minutes per epoch; top fraction p and confidences q.</summary>
    public static IReadOnlyList<int> GridValues { get; } = [10, 6, 5];

    public const int EpochsPerConfiguration = 10;
    public const double MinutesPerEpoch = 2;
    public const double TopFraction = 0.05;

    public static IReadOnlyList<double> Confidences { get; } = [0.95, 0.995];

    /// <summary>
    /// The real search: data sizes, training length, and the grid's values per hyperparameter (the budget is its square,
    /// spent by both strategies). Learning rates are searched on a log scale over <see cref="LearningRates"/>, hidden
    /// widths over <see cref="HiddenUnits"/>.
    /// </summary>
    public sealed record Settings(int TrainSamples, int ValidationSamples, int Epochs, int BatchSize, int GridSide)
    {
        /// <summary>Seconds: a 2×2 grid and 4 random trials of one epoch on 600 images.</summary>
        public static Settings Tiny { get; } = new(600, 300, 1, 32, 2) { LearningRates = (0.01, 0.1), HiddenUnits = (16, 64) };

        public static Settings Default { get; } = new(3000, 1000, 2, 64, 3);

        public static Settings Full { get; } = new(20_000, 5000, 5, 64, 5);

        public (double Low, double High) LearningRates { get; init; } = (1e-3, 1.0);

        public (int Low, int High) HiddenUnits { get; init; } = (4, 256);

        public int Budget => GridSide * GridSide;

        public void Validate()
        {
            if (TrainSamples < 1 || ValidationSamples < 1 || Epochs < 1 || BatchSize < 1 || GridSide < 2)
            {
                throw new ArgumentException($"samples, epochs and the batch size must be ≥ 1 and the grid side ≥ 2; got {this}");
            }

            if (!(LearningRates.Low > 0 && LearningRates.High > LearningRates.Low) || !(HiddenUnits.Low >= 1 && HiddenUnits.High > HiddenUnits.Low))
            {
                throw new ArgumentException($"the learning-rate range must be positive and increasing, the hidden widths ≥ 1 and increasing; got {LearningRates} and {HiddenUnits}");
            }
        }
    }

    /// <summary>One trained configuration.</summary>
    public sealed record Trial(string Strategy, int Index, double LearningRate, int HiddenUnits, double Accuracy);

    public void Run(ExperimentContext context)
    {
        var s = settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full);
        s.Validate();
        WriteBudget(context);

        var train = FashionMnist.Load("train");
        if (s.TrainSamples + s.ValidationSamples > train.Count)
        {
            throw new ArgumentException($"{s.TrainSamples} training and {s.ValidationSamples} validation samples need {s.TrainSamples + s.ValidationSamples} images; the training split has {train.Count}");
        }

        var (fit, validation) = (train.Take(s.TrainSamples), train.Slice(s.TrainSamples, s.ValidationSamples));
        var trials = new List<Trial>();
        foreach (var (strategy, configurations) in new[] { (GridStrategy, GridConfigurations(s)), (RandomStrategy, RandomConfigurations(s, context.Seed)) })
        {
            foreach (var (lr, hidden) in configurations)
            {
                var accuracy = MlpTrial.ValidationAccuracy(fit, validation, lr, hidden, s.Epochs, s.BatchSize, context.Seed + trials.Count);
                trials.Add(new(strategy, trials.Count(t => t.Strategy == strategy) + 1, lr, hidden, accuracy));
                context.Progress(string.Create(CultureInfo.InvariantCulture, $"  {strategy} {trials[^1].Index}/{s.Budget}: lr {lr:G3}, {hidden} hidden units: validation accuracy {accuracy:P1}"));
            }
        }

        context.WriteCsv("trials", ["strategy", "trial", "learning_rate", "hidden_units", "validation_accuracy"],
            trials.Select(t => (IReadOnlyList<object?>)[t.Strategy, t.Index, t.LearningRate, t.HiddenUnits, t.Accuracy]));
        var strategies = new VegaLite.Channel("strategy", "strategy", "nominal") { Sort = [GridStrategy, RandomStrategy] };
        var scatter = VegaLite.Chart("The configurations tried (larger: higher validation accuracy)", "point",
            trials.Select(t => new { strategy = t.Strategy, lr = t.LearningRate, hidden = t.HiddenUnits, accuracy = t.Accuracy }),
            new("lr", "learning rate") { Log = true }, new("hidden", "hidden units") { Log = true }, strategies);
        scatter["encoding"]!["size"] = new JsonObject { ["field"] = "accuracy", ["type"] = "quantitative", ["title"] = "validation accuracy" };
        context.AddFigure("configurations", scatter);
        var bestSoFar = trials.GroupBy(t => t.Strategy).SelectMany(g => g.Select(t => new { strategy = g.Key, trial = t.Index, best = g.Where(u => u.Index <= t.Index).Max(u => u.Accuracy) }));
        context.AddFigure("best-so-far", VegaLite.Line($"Best validation accuracy after each trial (budget {s.Budget})", bestSoFar,
            new("trial", "trials"), new("best", "best validation accuracy so far"), strategies, points: true));

        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Real search: MLP 784 → hidden → 10 (ReLU), SGD with momentum {MlpTrial.Momentum}, batch {s.BatchSize}, {s.Epochs} epochs on {s.TrainSamples} Fashion-MNIST training images, scored on the next {s.ValidationSamples}. Learning rate in [{s.LearningRates.Low}, {s.LearningRates.High}] (log scale), hidden units in [{s.HiddenUnits.Low}, {s.HiddenUnits.High}] (log scale); {s.Budget} trials each."));
        context.WriteSummary();
        context.WriteSummary("| strategy | best learning rate | best hidden units | best validation accuracy | distinct learning rates tried |");
        context.WriteSummary("| --- | ---: | ---: | ---: | ---: |");
        foreach (var g in trials.GroupBy(t => t.Strategy))
        {
            var best = g.MaxBy(t => t.Accuracy)!;
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Key} | {best.LearningRate:G4} | {best.HiddenUnits} | {best.Accuracy:P1} | {g.Select(t => t.LearningRate).Distinct().Count()} |"));
        }
    }

    /// <summary>The closed-form part: grid cost and random trials (budget.csv, random-trials.csv and their figure).</summary>
    private static void WriteBudget(ExperimentContext context)
    {
        var configurations = SearchBudget.GridConfigurations(GridValues);
        var epochs = configurations * EpochsPerConfiguration;
        var minutes = epochs * MinutesPerEpoch;
        context.WriteCsv("grid-cost", ["values_per_hyperparameter", "configurations", "epochs", "minutes", "hours"],
            [[string.Join("x", GridValues), configurations, epochs, minutes, minutes / 60]]);
        var needed = Confidences.Select(q => (Q: q, N: SearchBudget.RandomTrials(TopFraction, q))).ToList();
        context.WriteCsv("random-trials", ["top_fraction", "confidence", "trials", "hit_probability"],
            needed.Select(n => (IReadOnlyList<object?>)[TopFraction, n.Q, n.N, SearchBudget.HitProbability(TopFraction, n.N)]));

        var horizon = needed.Max(n => n.N) + 40;
        var curve = VegaLite.Layer("line", Enumerable.Range(0, horizon + 1).Select(n => new { trials = n, probability = SearchBudget.HitProbability(TopFraction, n), label = "1 − (1 − p)^N" }),
            new("trials", "random trials N"), new("probability", "P(some trial in the top 5 %)") { Domain = [0, 1] }, new VegaLite.Channel("label", "curve", "nominal"));
        var marks = VegaLite.Layer("point", needed.Select(n => new { trials = n.N, probability = SearchBudget.HitProbability(TopFraction, n.N), label = string.Create(CultureInfo.InvariantCulture, $"q = {n.Q}: N = {n.N}") }),
            new("trials", "random trials N"), new("probability", "P(some trial in the top 5 %)"), new VegaLite.Channel("label", "curve", "nominal"));
        marks["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 80 };
        context.AddFigure("random-trials", VegaLite.Layered("Random search: the chance of a top-5 % configuration", curve, marks));

        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"- Grid of {string.Join(" × ", GridValues)} values: **{configurations} configurations**, {EpochsPerConfiguration} epochs each = **{epochs} epochs**, at {MinutesPerEpoch} min an epoch **{minutes} min** ({minutes / 60:0.#} h)."));
        foreach (var (q, n) in needed)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"- Random search, top {TopFraction:P0} with confidence {q}: N ≥ ln(1 − q)/ln(1 − p) = {Math.Log(1 - q) / Math.Log(1 - TopFraction):F2}, so **{n} trials** (P = {SearchBudget.HitProbability(TopFraction, n):F4})."));
        }
    }

    /// <summary>GridSide values per hyperparameter, evenly spaced on a log scale over each range.</summary>
    private static IEnumerable<(double LearningRate, int HiddenUnits)> GridConfigurations(Settings s) =>
        from i in Enumerable.Range(0, s.GridSide)
        from j in Enumerable.Range(0, s.GridSide)
        select (LogSpaced(s.LearningRates.Low, s.LearningRates.High, i / (s.GridSide - 1.0)),
            (int)Math.Round(LogSpaced(s.HiddenUnits.Low, s.HiddenUnits.High, j / (s.GridSide - 1.0))));

    /// <summary>Budget configurations drawn log-uniformly over each range.</summary>
    private static List<(double LearningRate, int HiddenUnits)> RandomConfigurations(Settings s, long seed)
    {
        var random = new SeededRandom(seed);
        return [.. Enumerable.Range(0, s.Budget).Select(_ => (LogSpaced(s.LearningRates.Low, s.LearningRates.High, random.NextDouble()),
            (int)Math.Round(LogSpaced(s.HiddenUnits.Low, s.HiddenUnits.High, random.NextDouble()))))];
    }

    private static double LogSpaced(double low, double high, double fraction) => Math.Exp(Math.Log(low) + (fraction * (Math.Log(high) - Math.Log(low))));
}
