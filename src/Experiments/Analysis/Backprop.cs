using System.Globalization;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>backprop</c>: the worked example (a 2 → 3 → 2 → 1 ReLU network, one sample, squared loss) by hand formulas against
/// libtorch's autograd on <see cref="WorkedExampleMlp"/>; and vanishing gradients on real networks of 1×1 convolutions
/// whose local derivatives are set to the exercise's values, with and without residual connections.
/// </summary>
public sealed class Backprop : IExperiment
{
    public string Name => "backprop";

    public string Description => "The worked MLP example by hand against autograd, and vanishing gradients with and without residual paths";

    /// <summary>The worked example's sample and weights (rows of W are a layer's units).</summary>
    public static (double[] X, double Y, IReadOnlyList<(double[,] Weight, double[] Bias)> Layers) WorkedExample { get; } =
    (
        [2, 1],
        10,
        [
            (new double[,] { { 1, 0 }, { 3, 4 }, { 1, 2 } }, [0, -2, 5]),
            (new double[,] { { 2, 6, 1 }, { 0, 3, 1 } }, [-23, -11]),
            (new double[,] { { -2, 3 } }, [18]),
        ]
    );

    /// <summary>The exercise's local derivatives: ∂L/∂z₂ = 0.01, ∂z₂/∂z₁ = 0.005, ∂z₁/∂x = 0.1.</summary>
    public static (double Loss, double Second, double First) ThreeFactors { get; } = (0.01, 0.005, 0.1);

    /// <summary>Every local derivative of the deep chains, ∂L/∂(last output) included.</summary>
    public const double ChainDerivative = 0.5;

    public const int MaxPlainLayers = 12;

    public const int MaxResidualBlocks = 6;

    public void Run(ExperimentContext context)
    {
        WorkedExampleAgainstAutograd(context);
        VanishingGradients(context);
    }

    private static void WorkedExampleAgainstAutograd(ExperimentContext context)
    {
        var (x, y, layers) = WorkedExample;
        var hand = HandBackprop.Run(layers, x, y);

        using var scope = NewDisposeScope();
        using var model = new WorkedExampleMlp();
        var linears = new[] { model.fc1, model.fc2, model.fc3 };
        using (no_grad())
        {
            for (var l = 0; l < linears.Length; l++)
            {
                var (units, fanIn) = (layers[l].Weight.GetLength(0), layers[l].Weight.GetLength(1));
                linears[l].weight!.copy_(tensor(layers[l].Weight.Cast<double>().Select(v => (float)v).ToArray(), [units, fanIn]));
                linears[l].bias!.copy_(tensor(layers[l].Bias.Select(v => (float)v).ToArray()));
            }
        }

        var input = LibtorchTensor.From(x.Select(v => (float)v).ToArray(), [1, 2]).requires_grad_();
        var prediction = model.call(input);
        using var target = y.ToScalar();
        var loss = (prediction - target).pow(Scalars.Two).sum();
        loss.backward();

        var rows = new List<(string Parameter, int Row, int Col, double Hand, double Autograd)>();
        for (var l = 0; l < linears.Length; l++)
        {
            var weight = linears[l].weight!.grad!.data<float>().ToArray();
            var (units, fanIn) = (hand.WeightGradients[l].GetLength(0), hand.WeightGradients[l].GetLength(1));
            for (var i = 0; i < units; i++)
            {
                for (var j = 0; j < fanIn; j++)
                {
                    rows.Add(($"W{l + 1}", i + 1, j + 1, hand.WeightGradients[l][i, j], weight[(i * fanIn) + j]));
                }
            }

            var bias = linears[l].bias!.grad!.data<float>().ToArray();
            rows.AddRange(hand.BiasGradients[l].Select((g, i) => ($"b{l + 1}", i + 1, 1, g, (double)bias[i])));
        }

        var inputGradient = input.grad!.data<float>().ToArray();
        rows.AddRange(hand.InputGradient.Select((g, i) => ("x", i + 1, 1, g, (double)inputGradient[i])));
        var worst = rows.Max(r => Math.Abs(r.Hand - r.Autograd));
        if (worst > 1e-4 || Math.Abs(hand.Prediction - prediction.item<float>()) > 1e-4)
        {
            throw new InvalidOperationException($"the hand formulas and autograd disagree by up to {worst}");
        }

        context.WriteCsv("worked-example", ["parameter", "row", "col", "hand", "autograd"], rows.Select(r => (IReadOnlyList<object?>)[r.Parameter, r.Row, r.Col, r.Hand, r.Autograd]));
        var order = rows.Select(Entry).ToList();
        context.AddFigure("worked-example-gradients", VegaLite.Chart("Worked example: every gradient entry by hand and by autograd", "point",
            rows.SelectMany(r => new[] { new { entry = Entry(r), method = "hand formula", gradient = r.Hand }, new { entry = Entry(r), method = "autograd", gradient = r.Autograd } }),
            new("entry", "gradient entry", "ordinal") { Sort = order }, new("gradient", "∂L/∂parameter"), new("method", "method", "nominal")));

        context.WriteSummary("## Worked example: 2 → 3 → 2 → 1 ReLU network, x = (2, 1), y = 10, L = (y − ŷ)²");
        context.WriteSummary();
        context.WriteSummary(Invariant($"Forward: a1 = {Vector(hand.PreActivations[0])}, a2 = {Vector(hand.PreActivations[1])}, ŷ = {hand.Prediction}, L = {hand.Loss} (autograd: ŷ = {(double)prediction.item<float>()}, L = {(double)loss.item<float>()})."));
        context.WriteSummary();
        context.WriteSummary("| gradient | hand formula | autograd |");
        context.WriteSummary("| --- | --- | --- |");
        foreach (var group in rows.GroupBy(r => r.Parameter))
        {
            context.WriteSummary(Invariant($"| ∂L/∂{group.Key} | {Vector(group.Select(r => r.Hand))} | {Vector(group.Select(r => r.Autograd))} |"));
        }

        context.WriteSummary();
        context.WriteSummary(Invariant($"Largest difference between hand formulas and autograd: {worst}. (The source document prints −46 for ∂L/∂W2[2,2]; the chain rule gives {hand.WeightGradients[1][1, 1]}.)"));
        context.WriteSummary();
    }

    private static void VanishingGradients(ExperimentContext context)
    {
        var (dLoss, dSecond, dFirst) = ThreeFactors;
        var rows = new List<(string Network, int Layers, int Blocks, double ClosedForm, double Autograd)>();
        double Measure(IReadOnlyList<IReadOnlyList<double>> blocks, bool residual, double head)
        {
            using var chain = new LocalDerivativeChain(blocks, residual, head);
            return chain.InputGradient();
        }

        // The chain rule multiplies local derivatives; a residual path adds 1 to a block's derivative.
        rows.Add(("three factors, plain", 2, 0, dLoss * dSecond * dFirst, Measure([[dFirst, dSecond]], false, dLoss)));
        rows.Add(("three factors, residual", 2, 1, dLoss * ((dSecond * dFirst) + 1), Measure([[dFirst, dSecond]], true, dLoss)));
        for (var n = 1; n <= MaxPlainLayers; n++)
        {
            rows.Add(("plain chain", n, 0, Math.Pow(ChainDerivative, n + 1), Measure([Enumerable.Repeat(ChainDerivative, n).ToList()], false, ChainDerivative)));
        }

        for (var b = 1; b <= MaxResidualBlocks; b++)
        {
            var block = ChainDerivative * ChainDerivative;
            rows.Add(("residual blocks", 2 * b, b, ChainDerivative * Math.Pow(1 + block, b),
                Measure([.. Enumerable.Repeat<IReadOnlyList<double>>([ChainDerivative, ChainDerivative], b)], true, ChainDerivative)));
        }

        var worst = rows.Max(r => Math.Abs(r.Autograd - r.ClosedForm) / r.ClosedForm);
        if (worst > 1e-5)
        {
            throw new InvalidOperationException($"autograd and the products of local derivatives differ by up to {worst:P4}");
        }

        context.WriteCsv("vanishing", ["network", "conv_layers", "residual_blocks", "closed_form", "autograd"],
            rows.Select(r => (IReadOnlyList<object?>)[r.Network, r.Layers, r.Blocks, r.ClosedForm, r.Autograd]));
        context.AddFigure("vanishing-gradients", VegaLite.Line($"∂L/∂x by autograd: every local derivative {ChainDerivative}, with and without residual blocks",
            rows.Where(r => !r.Network.StartsWith("three", StringComparison.Ordinal)).Select(r => new { network = r.Network, layers = r.Layers, gradient = r.Autograd }),
            new("layers", "convolution layers"), new("gradient", "∂L/∂x (log)") { Log = true }, new("network", "network", "nominal"), points: true));

        context.WriteSummary("## Vanishing gradients (real 1×1-convolution networks, ∂L/∂x read from autograd)");
        context.WriteSummary();
        context.WriteSummary("| network | conv layers | residual blocks | closed form | autograd |");
        context.WriteSummary("| --- | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            context.WriteSummary(Invariant($"| {r.Network} | {r.Layers} | {r.Blocks} | {r.ClosedForm:G6} | {r.Autograd:G6} |"));
        }

        context.WriteSummary();
        context.WriteSummary(Invariant($"Largest relative difference between autograd (float32) and the closed forms: {worst:G3}."));
    }

    private static string Entry((string Parameter, int Row, int Col, double Hand, double Autograd) r) => $"{r.Parameter}[{r.Row},{r.Col}]";

    private static string Vector(IEnumerable<double> values) => Invariant($"({string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))})");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
