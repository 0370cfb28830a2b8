namespace PsTraining.Experiments.Analysis;

/// <summary>
/// Backpropagation written out by hand for a fully connected ReLU network (a ReLU after every layer, the last included)
/// with the squared loss L = (y − ŷ)²: a⁽ˡ⁾ = W⁽ˡ⁾z⁽ˡ⁻¹⁾ + b⁽ˡ⁾, z⁽ˡ⁾ = ReLU(a⁽ˡ⁾); backwards δ⁽ᴸ⁾ = 2(ŷ − y)·ReLU′(a⁽ᴸ⁾),
/// ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾z⁽ˡ⁻¹⁾ᵀ, ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾, δ⁽ˡ⁻¹⁾ = (W⁽ˡ⁾ᵀδ⁽ˡ⁾) ⊙ ReLU′(a⁽ˡ⁻¹⁾), and ∂L/∂x = W⁽¹⁾ᵀδ⁽¹⁾.
/// </summary>
public static class HandBackprop
{
    /// <summary>The forward values and every gradient; layer l of the lists is layer l + 1 of the formulas.</summary>
    public sealed record Result(double Prediction, double Loss, IReadOnlyList<double[]> PreActivations, IReadOnlyList<double[,]> WeightGradients,
        IReadOnlyList<double[]> BiasGradients, double[] InputGradient);

    public static Result Run(IReadOnlyList<(double[,] Weight, double[] Bias)> layers, double[] x, double y)
    {
        var inputs = new List<double[]>();
        var preActivations = new List<double[]>();
        var z = x;
        foreach (var (w, b) in layers)
        {
            inputs.Add(z);
            var a = Enumerable.Range(0, b.Length).Select(i => b[i] + Enumerable.Range(0, z.Length).Sum(j => w[i, j] * z[j])).ToArray();
            preActivations.Add(a);
            z = [.. a.Select(v => Math.Max(0, v))];
        }

        var prediction = z[0];
        var weightGradients = new double[layers.Count][,];
        var biasGradients = new double[layers.Count][];
        // ReLU′(a) is 1 for a > 0 and 0 otherwise (0 at a = 0, as autograd takes it).
        var delta = new[] { 2 * (prediction - y) * Step(preActivations[^1][0]) };
        for (var l = layers.Count - 1; l >= 0; l--)
        {
            var (w, _) = layers[l];
            var input = inputs[l];
            var d = delta;
            weightGradients[l] = new double[d.Length, input.Length];
            for (var i = 0; i < d.Length; i++)
            {
                for (var j = 0; j < input.Length; j++)
                {
                    weightGradients[l][i, j] = d[i] * input[j];
                }
            }

            biasGradients[l] = d;
            var back = Enumerable.Range(0, input.Length).Select(j => Enumerable.Range(0, d.Length).Sum(i => w[i, j] * d[i])).ToArray();
            delta = l > 0 ? [.. back.Select((g, j) => g * Step(preActivations[l - 1][j]))] : back;
        }

        return new Result(prediction, (y - prediction) * (y - prediction), preActivations, weightGradients, biasGradients, delta);
    }

    private static double Step(double a) => a > 0 ? 1 : 0;
}
