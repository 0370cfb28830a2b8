namespace PsTraining.Experiments.Analysis;

/// <summary>A <see cref="PlannedLayer"/> walked: its shapes (per sample), weights without biases, biases and multiply–accumulates.</summary>
public sealed record PlannedRow(PlannedLayer Layer, long[] InputShape, long[] OutputShape, long Weights, long Biases, long Multiplies)
{
    /// <summary>The units (neurons) of the output: the memory its activations take, counted in values.</summary>
    public long Activations => OutputShape.Aggregate(1L, (a, b) => a * b);

    public static string Format(IEnumerable<long> shape) => string.Join('×', shape);
}
