using System.Globalization;
using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>cnn-sizing</c>: the CNN sizing exercises by closed forms: conv output sizes, LeNet-5's shapes, weights and
/// multiplies, VGG-19's activations and weights per layer, the naive against the dimension-reduced inception module,
/// a CNN against a fully connected network, and receptive fields. Every count is checked against a real model of
/// PsTraining.Models: its parameters, and the shapes its layers produce in a forward pass.
/// </summary>
public sealed partial class CnnSizing : IExperiment
{
    public string Name => "cnn-sizing";

    public string Description => "CNN sizing by closed forms (conv output sizes, LeNet-5, VGG-19, inception, CNN vs FC, receptive fields), checked against real models";

    public void Run(ExperimentContext context)
    {
        context.Progress("  output sizes ...");
        OutputSizes(context);
        context.Progress("  LeNet-5 ...");
        var lenet = LeNet(context);
        context.Progress("  VGG-19 (143M weights) ...");
        var vgg = Vgg(context);
        context.Progress("  inception modules ...");
        Inception(context);
        context.Progress("  CNN against fully connected ...");
        var cnn = CnnAgainstFullyConnected(context);
        context.Progress("  receptive fields ...");
        ReceptiveFields(context, [("LeNet-5", lenet.Model, lenet.Summary), ("VGG-19", vgg.Model, vgg.Summary), ("small CNN", cnn.Model, cnn.Summary)]);
        foreach (var model in new[] { lenet.Model, vgg.Model, cnn.Model })
        {
            model.Dispose();
        }
    }

    /// <summary>One conv output-size exercise: an n×n×C input, F filters of k×k, padding P, stride S.</summary>
    public sealed record SizeCase(string Label, long Side, long Channels, long Kernel, long Padding, long Stride, long Filters);

    public static IReadOnlyList<SizeCase> SizeCases { get; } =
    [
        new("36x36, k3", 36, 1, 3, 0, 1, 1),
        new("36x36x3, k3, P3, S2, 2 filters", 36, 3, 3, 3, 2, 2),
        new("64x64x32, k3, 64 filters", 64, 32, 3, 0, 1, 64),
        new("64x64x32, k3, P1, S2, 64 filters", 64, 32, 3, 1, 2, 64),
        // A larger input need not give a larger output: with k5 and S2, 9 and 10 both give 3.
        new("9x9, k5, S2", 9, 1, 5, 0, 2, 1),
        new("10x10, k5, S2", 10, 1, 5, 0, 2, 1),
    ];

    private static void OutputSizes(ExperimentContext context)
    {
        var rows = new List<IReadOnlyList<object?>>();
        context.WriteSummary("## Conv output sizes: n_out = ⌊(n + 2P − k)/S⌋ + 1");
        context.WriteSummary();
        context.WriteSummary("| case | closed form | Conv2d forward |");
        context.WriteSummary("| --- | --- | --- |");
        foreach (var c in SizeCases)
        {
            var side = ConvArithmetic.OutputSize(c.Side, c.Kernel, c.Padding, c.Stride);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var conv = nn.Conv2d(c.Channels, c.Filters, c.Kernel, c.Stride, c.Padding);
            var measured = conv.call(zeros([1, c.Channels, c.Side, c.Side])).shape[1..];
            var formula = $"{side}x{side}x{c.Filters}";
            ModelCheck.Equal("Conv2d", c.Label, "output", formula, $"{measured[1]}x{measured[2]}x{measured[0]}");
            rows.Add([c.Label, c.Side, c.Channels, c.Kernel, c.Padding, c.Stride, c.Filters, side, measured[1], measured[0]]);
            context.WriteSummary($"| {c.Label} | {formula} | {measured[1]}x{measured[2]}x{measured[0]} |");
        }

        context.WriteCsv("output-sizes", ["case", "n", "channels", "kernel", "padding", "stride", "filters", "n_out", "model_n_out", "model_channels"], rows);
        context.WriteSummary();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
