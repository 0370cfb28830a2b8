using PsTraining.Models.Zoo;

namespace PsTraining.Experiments.Analysis;

/// <summary>Holds the closed forms of a <see cref="PlannedLayer"/> walk against the layers a real model ran through.</summary>
internal static class ModelCheck
{
    /// <summary>The layer types that appear as rows of a sizing table (activations, ReLUs, dropout and reshapes do not).</summary>
    private static readonly HashSet<string> TableTypes = ["Conv2d", "Linear", "MaxPool2d", "AvgPool2d"];

    /// <summary>The model's table rows in forward order, paired with the plan's; throws if a shape, weight count or multiply count differs.</summary>
    public static IReadOnlyList<(PlannedRow Planned, LayerSummary Measured)> Agree(string model, IReadOnlyList<PlannedRow> plan, ModelSummary summary)
    {
        var measured = summary.Layers.Where(l => TableTypes.Contains(l.Type)).ToList();
        if (measured.Count != plan.Count)
        {
            throw new InvalidOperationException($"{model}: the plan has {plan.Count} layers, the model ran {measured.Count}: {string.Join(", ", measured.Select(l => l.Name))}");
        }

        var pairs = plan.Zip(measured).ToList();
        foreach (var (p, m) in pairs)
        {
            // A fully connected layer's output is a vector even where the plan lays it out again as an image.
            long[] planned = p.Layer.Kind == PlannedLayer.Kinds.DenseSameShape ? [p.Activations] : p.OutputShape;
            Equal(model, p.Layer.Name, "output shape", PlannedRow.Format(planned), PlannedRow.Format(m.OutputShape[1..]));
            Equal(model, p.Layer.Name, "weights", p.Weights, m.WeightsWithoutBias);
            Equal(model, p.Layer.Name, "biases", p.Biases, m.Parameters - m.WeightsWithoutBias);
            Equal(model, p.Layer.Name, "multiplies", p.Multiplies, m.MultiplyAccumulates);
        }

        return pairs;
    }

    public static void Equal<T>(string model, string layer, string what, T formula, T measured)
    {
        if (!EqualityComparer<T>.Default.Equals(formula, measured))
        {
            throw new InvalidOperationException($"{model} {layer}: the closed form gives {what} {formula}, the model {measured}");
        }
    }
}
