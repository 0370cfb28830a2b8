using PsTraining.Models.Zoo;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// A network's size for one input, measured on the real model (<see cref="ModelSummary"/>: output shapes from a forward
/// pass, parameters counted from the modules). Neurons: the outputs of every convolution, pooling, upsampling and
/// batch-norm layer (ReLU works in place and adds none). Weights: convolution kernels, k²·C_in·C_out each; parameters add
/// the biases and batch-norm's γ and β. Connections: a convolution's multiply–accumulates (taps on the zero padding
/// included), one per input of a non-overlapping pooling window, one per output of nearest upsampling and of batch norm.
/// </summary>
public sealed record NetworkCounts(long Neurons, long Weights, long Parameters, long Connections)
{
    public static NetworkCounts Of(nn.Module<Tensor, Tensor> model, long[] sampleShape)
    {
        var summary = ModelSummary.Of(model, sampleShape);
        var layers = Layers(summary);
        return new NetworkCounts(layers.Sum(l => l.Neurons), summary.TotalWeightsWithoutBias, summary.TotalParameters, layers.Sum(l => l.Connections));
    }

    /// <summary>The counts layer by layer, in the order the layers ran (ReLU left out).</summary>
    public static IReadOnlyList<LayerCount> Layers(nn.Module<Tensor, Tensor> model, long[] sampleShape) => Layers(ModelSummary.Of(model, sampleShape));

    private static List<LayerCount> Layers(ModelSummary summary) =>
        summary.Layers.Where(l => l.Type != nameof(ReLU)).Select(layer =>
        {
            var outputs = Elements(layer.OutputShape);
            var connections = layer.Type switch
            {
                nameof(Conv2d) or nameof(ConvTranspose2d) => layer.MultiplyAccumulates,
                nameof(MaxPool2d) => Elements(layer.InputShape),
                nameof(Upsample) or nameof(BatchNorm2d) => outputs,
                _ => throw new NotSupportedException($"no connection count for a {layer.Type} layer ({layer.Name})"),
            };
            return new LayerCount(layer.Name, layer.Type, string.Join('×', layer.OutputShape.Skip(1)), outputs, layer.WeightsWithoutBias, connections);
        }).ToList();

    /// <summary>Elements of one sample (the summary's shapes are for a batch of one).</summary>
    private static long Elements(long[] shape) => shape.Aggregate(1L, (a, d) => a * d);
}
