namespace PsTraining.Experiments.Analysis;

/// <summary>
/// One layer of a network as it is described on paper: a k×k convolution of <see cref="Outputs"/> filters, a pooling
/// window, or a fully connected layer. <see cref="Walk"/> derives every shape, weight count and multiply count from the
/// closed forms alone, so that they can be held against a real model's forward pass.
/// </summary>
public sealed record PlannedLayer(string Name, PlannedLayer.Kinds Kind, long Outputs = 0, long Kernel = 1, long Stride = 1, long Padding = 0)
{
    public enum Kinds
    {
        Conv,
        Pool,

        /// <summary>Fully connected on the flattened input; the output is a vector of <see cref="Outputs"/> units.</summary>
        Dense,

        /// <summary>Fully connected on the flattened input, the output laid out again as the input's image shape (Outputs is ignored).</summary>
        DenseSameShape,
    }

    public static PlannedLayer Conv(string name, long filters, long kernel, long stride = 1, long padding = 0) => new(name, Kinds.Conv, filters, kernel, stride, padding);

    public static PlannedLayer Pool(string name, long kernel, long stride, long padding = 0) => new(name, Kinds.Pool, 0, kernel, stride, padding);

    public static PlannedLayer Dense(string name, long units) => new(name, Kinds.Dense, units);

    public static PlannedLayer DenseSameShape(string name) => new(name, Kinds.DenseSameShape);

    /// <summary>Each layer's output shape (per sample), weights without biases, biases and multiplies, from <paramref name="input"/> on.</summary>
    public static IReadOnlyList<PlannedRow> Walk(long[] input, IEnumerable<PlannedLayer> layers)
    {
        var rows = new List<PlannedRow>();
        var shape = input;
        foreach (var layer in layers)
        {
            var row = layer.Apply(shape);
            rows.Add(row);
            shape = row.OutputShape;
        }

        return rows;
    }

    private PlannedRow Apply(long[] input)
    {
        var inputs = input.Aggregate(1L, (a, b) => a * b);
        switch (Kind)
        {
            case Kinds.Conv:
            case Kinds.Pool:
                if (input.Length != 3)
                {
                    throw new ArgumentException($"{Name}: a {Kind} layer needs a C×H×W input, not {string.Join('×', input)}");
                }

                var side = ConvArithmetic.OutputSize(input[1], Kernel, Padding, Stride);
                var width = ConvArithmetic.OutputSize(input[2], Kernel, Padding, Stride);
                if (Kind == Kinds.Pool)
                {
                    return new PlannedRow(this, input, [input[0], side, width], 0, 0, 0);
                }

                // Every output unit is one k×k×C dot product.
                var perUnit = Kernel * Kernel * input[0];
                return new PlannedRow(this, input, [Outputs, side, width], perUnit * Outputs, Outputs, side * width * Outputs * perUnit);
            case Kinds.Dense:
                return new PlannedRow(this, input, [Outputs], inputs * Outputs, Outputs, inputs * Outputs);
            default:
                return new PlannedRow(this, input, input, inputs * inputs, inputs, inputs * inputs);
        }
    }
}
