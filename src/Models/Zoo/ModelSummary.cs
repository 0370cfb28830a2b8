using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// A model's per-layer table, measured by running one zero sample through it and recording every leaf
/// layer's input and output shapes (forward hooks); parameters and multiply–accumulates come from those shapes.
/// </summary>
public sealed class ModelSummary
{
    private ModelSummary(IReadOnlyList<LayerSummary> layers, long totalParameters)
    {
        Layers = layers;
        TotalParameters = totalParameters;
    }

    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Every parameter of the model (a layer run twice is counted once).</summary>
    public long TotalParameters { get; }

    public long TotalMultiplyAccumulates => Layers.Sum(l => l.MultiplyAccumulates);

    public long TotalWeightsWithoutBias => Layers.Where(l => l.WeightShape is not null).DistinctBy(l => l.Name).Sum(l => l.WeightsWithoutBias);

    public static ModelSummary Of(nn.Module<Tensor, Tensor> model, long[] sampleShape)
    {
        var leaves = model.named_modules()
            .Where(m => !m.module.named_children().Any())
            .Select(m => (m.name, module: m.module as nn.Module<Tensor, Tensor>))
            .ToList();
        var layers = new List<LayerSummary>();
        var hooks = leaves.Where(l => l.module is not null)
            .Select(l => l.module!.register_forward_hook((m, x, y) =>
            {
                layers.Add(Summarise(l.name, m, x.shape, y.shape));
                return null!;
            }))
            .ToList();
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            model.call(zeros([1, .. sampleShape]));
        }
        finally
        {
            model.train(wasTraining);
            hooks.ForEach(h => h.remove());
        }

        var total = model.parameters().Sum(p => p.numel());
        return new ModelSummary(layers, total);
    }

    private static LayerSummary Summarise(string name, nn.Module layer, long[] inputShape, long[] outputShape)
    {
        var own = layer.named_parameters().ToList();
        var weight = own.FirstOrDefault(p => p.name == "weight").parameter;
        var weightShape = weight is not null && weight.ndim > 1 ? weight.shape : null;
        return new LayerSummary(
            name,
            layer.GetType().Name,
            inputShape,
            outputShape,
            weightShape,
            own.Sum(p => p.parameter.numel()),
            weightShape is null ? 0 : weight!.numel(),
            MultiplyAccumulates(layer, inputShape, outputShape));
    }

    /// <summary>Multiply–accumulates of one sample through <paramref name="layer"/>; 0 for layers that do none.</summary>
    private static long MultiplyAccumulates(nn.Module layer, long[] inputShape, long[] outputShape) => layer switch
    {
        // Every output element costs (in/groups)·kh·kw.
        Conv2d c => PerSample(outputShape) * (c.in_channels / c.groups) * c.kernel_size[0] * c.kernel_size[1],
        // Every input element is spread over (out/groups)·kh·kw outputs.
        ConvTranspose2d t => PerSample(inputShape) * (t.out_channels / t.groups) * t.kernel_size[0] * t.kernel_size[1],
        Linear l => PerSample(outputShape) * l.in_features,
        _ => 0,
    };

    /// <summary>Elements of one sample: the product of every dimension after the first (batch) one.</summary>
    private static long PerSample(long[] shape) => shape.Skip(1).Aggregate(1L, (n, d) => n * d);
}
