using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using static PsTraining.Experiments.Analysis.PlannedLayer;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>LeNet-5, VGG-19, and a small CNN against a fully connected network of the same layout.</summary>
public sealed partial class CnnSizing
{
    public static IReadOnlyList<PlannedLayer> LeNetPlan { get; } =
        [Conv("conv1", 6, 5), Pool("pool1", 2, 2), Conv("conv2", 16, 5), Pool("pool2", 2, 2), Dense("fc1", 120), Dense("fc2", 84), Dense("fc3", 10)];

    /// <summary>VGG-19, configuration E of Simonyan and Zisserman: five blocks of 3×3 convolutions (pad 1), each closed by a 2×2 max-pool.</summary>
    public static IReadOnlyList<PlannedLayer> VggPlan { get; } =
    [
        .. new[] { (64, 2), (128, 2), (256, 4), (512, 4), (512, 4) }.SelectMany((block, b) =>
            Enumerable.Range(1, block.Item2).Select(i => Conv($"conv{b + 1}_{i}", block.Item1, 3, 1, 1)).Append(Pool($"pool{b + 1}", 2, 2))),
        Dense("fc6", 4096), Dense("fc7", 4096), Dense("fc8", 1000),
    ];

    /// <summary>The small CNN of the sizing exercise on 32×32×3 images, and a fully connected network with the same pooling.</summary>
    public static IReadOnlyList<PlannedLayer> SmallCnnPlan { get; } =
        [Conv("conv3-32", 32, 3, 1, 1), Pool("pool1", 2, 2), Conv("conv3-64", 64, 3, 1, 1), Pool("pool2", 2, 2), Conv("conv3-3", 3, 3, 1, 1)];

    public static IReadOnlyList<PlannedLayer> FullyConnectedPlan { get; } =
        [DenseSameShape("fc1"), Pool("pool1", 2, 2), DenseSameShape("fc2"), Pool("pool2", 2, 2), DenseSameShape("fc3")];

    private static (nn.Module<Tensor, Tensor> Model, ModelSummary Summary) LeNet(ExperimentContext context)
    {
        var rows = new List<IReadOnlyList<object?>>();
        nn.Module<Tensor, Tensor>? keptModel = null;
        ModelSummary? keptSummary = null;
        foreach (var channels in new long[] { 1, 3 })
        {
            var model = new LeNet5(channels);
            var summary = ModelSummary.Of(model, [channels, 32, 32]);
            var pairs = ModelCheck.Agree($"LeNet-5 ({channels} channel)", Walk([channels, 32, 32], LeNetPlan), summary);
            var parameters = pairs.Sum(p => p.Planned.Weights + p.Planned.Biases);
            ModelCheck.Equal("LeNet-5", "all", "parameters", parameters, model.parameters().Sum(p => p.numel()));
            rows.AddRange(pairs.Select(p => (IReadOnlyList<object?>)[channels, p.Planned.Layer.Name, PlannedRow.Format(p.Planned.InputShape), PlannedRow.Format(p.Planned.OutputShape),
                p.Planned.Weights, p.Planned.Biases, p.Planned.Multiplies, PlannedRow.Format(p.Measured.OutputShape[1..]), p.Measured.WeightsWithoutBias, p.Measured.MultiplyAccumulates]));
            context.WriteSummary($"LeNet-5 with {channels} input channel{(channels > 1 ? "s" : "")}: {Count(parameters)} parameters ({Count(pairs.Sum(p => p.Planned.Weights))} weights without biases), {Count(pairs.Sum(p => p.Planned.Multiplies))} multiply–accumulates per image.");
            if (channels == 3)
            {
                context.WriteSummary();
                context.WriteSummary("| layer (3 channels) | input | output | weights | MACs |");
                context.WriteSummary("| --- | --- | --- | ---: | ---: |");
                foreach (var (p, _) in pairs.Where(p => p.Planned.Weights > 0))
                {
                    context.WriteSummary($"| {p.Layer.Name} | {PlannedRow.Format(p.InputShape)} | {PlannedRow.Format(p.OutputShape)} | {Count(p.Weights)} | {Count(p.Multiplies)} |");
                }

                (keptModel, keptSummary) = (model, summary);
                context.AddFigure("lenet5-macs", VegaLite.Unstacked(VegaLite.Chart("LeNet-5 (3×32×32 input): multiply–accumulates per layer", "bar",
                    pairs.Where(p => p.Planned.Weights > 0).Select(p => new { layer = p.Planned.Layer.Name, macs = p.Planned.Multiplies }),
                    new("layer", "layer", "ordinal") { Sort = [.. LeNetPlan.Select(l => l.Name)] }, new("macs", "multiply–accumulates (log)") { Log = true })));
            }
            else
            {
                model.Dispose();
            }
        }

        context.WriteCsv("lenet5", ["in_channels", "layer", "input_shape", "output_shape", "weights", "biases", "multiplies", "model_output_shape", "model_weights", "model_multiplies"], rows);
        context.WriteSummary();
        return (keptModel!, keptSummary!);
    }

    private static (nn.Module<Tensor, Tensor> Model, ModelSummary Summary) Vgg(ExperimentContext context)
    {
        long[] input = [3, 224, 224];
        var model = new Vgg19();
        var summary = ModelSummary.Of(model, input);
        var pairs = ModelCheck.Agree("VGG-19", Walk(input, VggPlan), summary);
        var inputUnits = input.Aggregate(1L, (a, b) => a * b);
        var activations = inputUnits + pairs.Sum(p => p.Planned.Activations);
        var weights = pairs.Sum(p => p.Planned.Weights);
        ModelCheck.Equal("VGG-19", "all", "activations", activations, inputUnits + pairs.Sum(p => p.Measured.OutputShape.Skip(1).Aggregate(1L, (a, b) => a * b)));
        ModelCheck.Equal("VGG-19", "all", "weights", weights, summary.TotalWeightsWithoutBias);
        ModelCheck.Equal("VGG-19", "all", "parameters", weights + pairs.Sum(p => p.Planned.Biases), summary.TotalParameters);

        context.WriteCsv("vgg19", ["layer", "output_shape", "activations", "weights", "biases", "multiplies", "model_output_shape", "model_weights"],
            pairs.Select(p => (IReadOnlyList<object?>)[p.Planned.Layer.Name, PlannedRow.Format(p.Planned.OutputShape), p.Planned.Activations, p.Planned.Weights,
                p.Planned.Biases, p.Planned.Multiplies, PlannedRow.Format(p.Measured.OutputShape[1..]), p.Measured.WeightsWithoutBias])
            .Prepend(["input", PlannedRow.Format(input), inputUnits, 0L, 0L, 0L, PlannedRow.Format(input), 0L]));
        var order = VggPlan.Select(l => l.Name).Prepend("input").ToList();
        var figureRows = pairs.Select(p => (layer: p.Planned.Layer.Name, activations: p.Planned.Activations, weights: p.Planned.Weights)).Prepend((layer: "input", activations: inputUnits, weights: 0L))
            .SelectMany(r => new[] { new { layer = r.layer, quantity = "activations", count = r.activations }, new { layer = r.layer, quantity = "weights", count = r.weights } })
            .Where(r => r.count > 0);
        context.AddFigure("vgg19-layers", VegaLite.Line("VGG-19 at 224×224×3: activations and weights (no biases) per layer", figureRows,
            new("layer", "layer", "ordinal") { Sort = order }, new("count", "values per image (log)") { Log = true }, new("quantity", "quantity", "nominal"), points: true));

        context.WriteSummary($"## VGG-19 (3×224×224 input, biases not counted)");
        context.WriteSummary();
        context.WriteSummary($"Activations, input included: {Count(activations)} (the input alone: {Count(inputUnits)}). Weights: {Count(weights)}; with biases {Count(summary.TotalParameters)} parameters. Multiply–accumulates per image: {Count(pairs.Sum(p => p.Planned.Multiplies))}. The model's forward pass gives the same shapes and counts for all {pairs.Count} layers.");
        context.WriteSummary();
        return (model, summary);
    }

    private static (nn.Module<Tensor, Tensor> Model, ModelSummary Summary) CnnAgainstFullyConnected(ExperimentContext context)
    {
        long[] input = [3, 32, 32];
        var cnn = nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 3, 3, 1, 1));
        using var fc = nn.Sequential(
            nn.Flatten(), nn.Linear(3072, 3072), nn.Unflatten(1, [3, 32, 32]), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(768, 768), nn.Unflatten(1, [3, 16, 16]), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(192, 192));
        var cnnSummary = ModelSummary.Of(cnn, input);
        var networks = new[]
        {
            (Name: "CNN", Pairs: ModelCheck.Agree("small CNN", Walk(input, SmallCnnPlan), cnnSummary)),
            (Name: "fully connected", Pairs: ModelCheck.Agree("fully connected", Walk(input, FullyConnectedPlan), ModelSummary.Of(fc, input))),
        };

        context.WriteCsv("cnn-vs-fc", ["network", "layer", "output_shape", "neurons", "weights", "model_weights"],
            networks.SelectMany(n => n.Pairs.Select(p => (IReadOnlyList<object?>)[n.Name, p.Planned.Layer.Name, PlannedRow.Format(p.Planned.OutputShape), p.Planned.Activations, p.Planned.Weights, p.Measured.WeightsWithoutBias])));
        var totals = networks.Select(n => (n.Name, Neurons: n.Pairs.Sum(p => p.Planned.Activations), Weights: n.Pairs.Sum(p => p.Planned.Weights))).ToList();
        context.AddFigure("cnn-vs-fc", VegaLite.Faceted(VegaLite.Unstacked(VegaLite.Chart("A CNN against a fully connected network with the same pooling (32×32×3 input, no biases)", "bar",
            totals.SelectMany(t => new[] { new { network = t.Name, quantity = "neurons", count = t.Neurons }, new { network = t.Name, quantity = "weights", count = t.Weights } }),
            new("network", "network", "nominal"), new("count", "count (log)") { Log = true }, new("network", "network", "nominal"), width: 200, height: 240)),
            new("quantity", "quantity", "nominal"), columns: 2));

        context.WriteSummary("## A CNN against a fully connected network (32×32×3 input, biases not counted, input not counted)");
        context.WriteSummary();
        foreach (var t in totals)
        {
            context.WriteSummary($"- {t.Name}: {Count(t.Neurons)} neurons, {Count(t.Weights)} weights");
        }

        context.WriteSummary($"- the fully connected network needs {(double)totals[1].Weights / totals[0].Weights:F0}× the weights of the CNN");
        context.WriteSummary();
        return (cnn, cnnSummary);
    }
}
