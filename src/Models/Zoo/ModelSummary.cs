using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>
/// A model's per-layer table, measured by running one zero sample through it and recording every leaf
/// layer's input and output shapes; parameters and multiply–accumulates come from those shapes.
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

    public static ModelSummary Of(Module model, long[] sampleShape)
    {
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in model.named_modules())
        {
            names.TryAdd(module, name);
        }

        var layers = new List<LayerSummary>();
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var input = torch.zeros([1, .. sampleShape]);
            using (Module.ObserveForward((m, x, y) => Record(m, x, y)))
            {
                model.call(input);
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        var total = model.parameters().Sum(p => p.numel());
        return new ModelSummary(layers, total);

        void Record(Module m, Tensor x, Tensor y)
        {
            if (m.named_children().Any())
            {
                return;
            }

            var own = m.named_parameters().ToList();
            var weight = own.FirstOrDefault(p => p.name == "weight").parameter;
            var weightShape = weight is not null && weight.ndim > 1 ? weight.shape : null;
            layers.Add(new LayerSummary(
                names.TryGetValue(m, out var n) ? n : m.GetType().Name,
                m.GetType().Name,
                x.shape,
                y.shape,
                weightShape,
                own.Sum(p => p.parameter.numel()),
                weightShape is null ? 0 : weight!.numel(),
                m.MultiplyAccumulates(x.shape, y.shape)));
        }
    }
}
