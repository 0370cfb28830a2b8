using System.Globalization;
using PsTraining.Models.Data;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>logic-units</c>: a perceptron and a two-layer Madaline (two Adalines under a fixed OR) trained on AND, NOR, 3-input
/// majority and XOR over bipolar inputs. Writes the weights found and the truth table each network computes, checked on
/// every input; the perceptron cannot learn XOR (not linearly separable), the Madaline can.
/// </summary>
public sealed class LogicUnits(LogicUnits.Settings? settings = null) : IExperiment
{
    public const string PerceptronModel = "perceptron";
    public const string MadalineModel = "madaline";

    public static IReadOnlyList<BooleanFunction> Functions { get; } = [BooleanFunction.And, BooleanFunction.Nor, BooleanFunction.Majority, BooleanFunction.Xor];

    public string Name => "logic-units";

    public string Description => "perceptron and Madaline truth tables for AND, NOR, 3-input majority and XOR, with the weights found by training";

    /// <summary>Learning rates, the epoch limit, the Madaline's hidden units, and how many random starts a Madaline may take.</summary>
    public sealed record Settings(double PerceptronRate, double MadalineAlpha, int MaxEpochs, int HiddenUnits, int Restarts)
    {
        public static Settings Default { get; } = new(0.1, 0.5, 100, 2, 20);

        public void Validate()
        {
            if (!(PerceptronRate > 0) || !(MadalineAlpha > 0 && MadalineAlpha < 2) || MaxEpochs < 1 || HiddenUnits < 1 || Restarts < 1)
            {
                throw new ArgumentException($"the perceptron rate must be > 0, the Madaline α in (0, 2) (α-LMS is stable there), and epochs, hidden units and restarts ≥ 1; got {this}");
            }
        }
    }

    /// <summary>One network trained on one function: the epochs it took (errors before each epoch) and whether it learnt the table.</summary>
    private sealed record Training(string Model, BooleanFunction Function, IReadOnlyList<ThresholdUnit> Units, IReadOnlyList<string> UnitNames,
        Func<IReadOnlyList<int>, (double Net, int Output)> Evaluate, IReadOnlyList<int> Errors, int Starts)
    {
        public bool Learnt => Errors[^1] == 0;
    }

    public void Run(ExperimentContext context)
    {
        var s = settings ?? Settings.Default;
        s.Validate();
        var random = new SeededRandom(context.Seed);
        var trainings = Functions.Select(f => TrainPerceptron(f, s, random)).Concat(Functions.Select(f => TrainMadaline(f, s, random))).ToList();

        context.WriteCsv("weights", ["model", "function", "unit", "trained", "bias", "w1", "w2", "w3"],
            trainings.SelectMany(t => t.Units.Select((u, k) => (IReadOnlyList<object?>)[t.Model, t.Function.Name, t.UnitNames[k], t.UnitNames[k] != Madaline.OutputName,
                u.Bias, .. Enumerable.Range(0, 3).Select(i => i < u.Weights.Count ? (object?)u.Weights[i] : null)])));
        var rows = trainings.SelectMany(t => t.Function.Inputs.Select(x => (Training: t, X: x, Target: t.Function.Target(x), Result: t.Evaluate(x)))).ToList();
        context.WriteCsv("truth-tables", ["model", "function", "x1", "x2", "x3", "target", "net", "output", "correct"],
            rows.Select(r => (IReadOnlyList<object?>)[r.Training.Model, r.Training.Function.Name, .. Enumerable.Range(0, 3).Select(i => i < r.X.Length ? (object?)r.X[i] : null),
                r.Target, r.Result.Net, r.Result.Output, r.Result.Output == r.Target]));
        context.WriteCsv("training", ["model", "function", "epoch", "misclassified"],
            trainings.SelectMany(t => t.Errors.Select((e, epoch) => (IReadOnlyList<object?>)[t.Model, t.Function.Name, epoch, e])));

        // The early epochs, where the learning happens; a network that never learns stays flat to the limit (training.csv).
        const int Shown = 10;
        var curves = trainings.SelectMany(t => t.Errors.Take(Shown + 1).Select((e, epoch) => new { network = $"{t.Model}: {t.Function.Name}", epoch, misclassified = e })).ToList();
        context.AddFigure("training", VegaLite.WithWholeLegendLabels(VegaLite.Line($"Misclassified inputs before each training epoch (the first {Shown})", curves,
            new("epoch", "epoch"), new("misclassified", "misclassified inputs"), new VegaLite.Channel("network", "network", "nominal"), points: true)));

        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Bipolar inputs and outputs (−1 false, +1 true; a unit outputs +1 when its net s > 0). Perceptron rule with η = {s.PerceptronRate}; Madaline I: {s.HiddenUnits} Adalines (α-LMS, α = {s.MadalineAlpha}) under a fixed OR unit, MRI rule, up to {s.Restarts} random starts; at most {s.MaxEpochs} epochs."));
        foreach (var t in trainings)
        {
            context.WriteSummary();
            var units = string.Join("; ", t.Units.Select((u, k) => $"{t.UnitNames[k]}: w0 = {u.Bias:0.###}, w = ({string.Join(", ", u.Weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))})"));
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"**{t.Model}, {t.Function.Name}**: {(t.Learnt ? $"learnt in {Epochs(t.Errors.Count - 1)}" : $"not learnt in {Epochs(t.Errors.Count - 1)} ({t.Errors[^1]} inputs wrong)")}{(t.Starts > 1 ? $", start {t.Starts}" : "")}. {units}."));
            context.WriteSummary();
            var arity = t.Function.Arity;
            context.WriteSummary($"| {string.Join(" | ", Enumerable.Range(1, arity).Select(i => $"x{i}"))} | s | y | target |");
            context.WriteSummary($"|{string.Concat(Enumerable.Repeat(" ---: |", arity + 3))}");
            foreach (var r in rows.Where(r => r.Training == t))
            {
                context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                    $"| {string.Join(" | ", r.X.Select(v => v.ToString("+0;-0", CultureInfo.InvariantCulture)))} | {r.Result.Net:0.###} | {r.Result.Output:+0;-0} | {r.Target:+0;-0} |"));
            }
        }
    }

    private static string Epochs(int n) => n == 1 ? "1 epoch" : $"{n} epochs";

    private static Training TrainPerceptron(BooleanFunction f, Settings s, SeededRandom random)
    {
        var unit = ThresholdUnit.Random(f.Arity, random);
        var errors = Train(f, s.MaxEpochs, x => unit.Output(x), (x, t) => unit.PerceptronStep(x, t, s.PerceptronRate));
        return new(PerceptronModel, f, [unit], ["output"], x => (unit.Net(x), unit.Output(x)), errors, 1);
    }

    private static Training TrainMadaline(BooleanFunction f, Settings s, SeededRandom random)
    {
        for (var start = 1; ; start++)
        {
            var net = Madaline.Random(f.Arity, s.HiddenUnits, random);
            var errors = Train(f, s.MaxEpochs, net.Predict, (x, t) => net.MriStep(x, t, s.MadalineAlpha));
            if (errors[^1] == 0 || start == s.Restarts)
            {
                return new(MadalineModel, f, [.. net.Hidden, net.Output], [.. net.Hidden.Select((_, k) => $"hidden {k + 1}"), Madaline.OutputName],
                    x => (net.Output.Net(net.HiddenOutputs(x)), net.Predict(x)), errors, start);
            }
        }
    }

    /// <summary>Presents the truth table once per epoch until every input is right; returns the errors before each epoch (and after the last).</summary>
    private static List<int> Train(BooleanFunction f, int maxEpochs, Func<IReadOnlyList<int>, int> predict, Action<IReadOnlyList<int>, int> step)
    {
        int Errors() => f.Inputs.Count(x => predict(x) != f.Target(x));
        var errors = new List<int> { Errors() };
        while (errors[^1] > 0 && errors.Count <= maxEpochs)
        {
            foreach (var x in f.Inputs)
            {
                step(x, f.Target(x));
            }

            errors.Add(Errors());
        }

        return errors;
    }
}
