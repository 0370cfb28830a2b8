using System.Numerics.Tensors;

namespace PsTraining.ParameterServer.Core;

/// <summary>
/// Adam as torch.optim.Adam (L2 weight decay added to the gradient): m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g²,
/// w −= η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), with t the model version the update produces.
/// </summary>
public sealed class AdamServerOptimizer(int length, float beta1, float beta2, float epsilon, float weightDecay) : ServerOptimizer(length)
{
    private readonly float[] _m = new float[length];
    private readonly float[] _v = new float[length];

    public override IReadOnlyList<float[]> State => [_m, _v];

    public override void Apply(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> scratch, int offset, float lr, long step)
    {
        var n = gradient.Length;
        var tmp = scratch[..n];
        var m = _m.AsSpan(offset, n);
        var v = _v.AsSpan(offset, n);

        var g = gradient;
        if (weightDecay != 0)
        {
            // g + λw, kept in tmp only while m and v take it in.
            TensorPrimitives.MultiplyAdd(weights, weightDecay, gradient, tmp);
            g = tmp;
        }

        TensorPrimitives.Multiply(m, beta1, m);
        TensorPrimitives.MultiplyAdd(g, 1 - beta1, m, m);
        TensorPrimitives.Multiply(v, beta2, v);
        TensorPrimitives.Multiply(g, g, tmp);
        TensorPrimitives.MultiplyAdd(tmp, 1 - beta2, v, v);

        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, step));
        TensorPrimitives.Sqrt(v, tmp);
        TensorPrimitives.Multiply(tmp, (float)(1 / biasCorrection2Sqrt), tmp);
        TensorPrimitives.Add(tmp, epsilon, tmp);
        TensorPrimitives.Divide(m, tmp, tmp);
        TensorPrimitives.MultiplyAdd(tmp, (float)(-lr / biasCorrection1), weights, weights);
    }
}
