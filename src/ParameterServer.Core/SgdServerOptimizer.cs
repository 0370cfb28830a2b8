using System.Numerics.Tensors;

namespace PsTraining.ParameterServer.Core;

/// <summary>SGD as torch.optim.SGD (dampening 0): d = g + λw; b = μb + d; w −= η·b (w −= η·d without momentum).</summary>
public sealed class SgdServerOptimizer : ServerOptimizer
{
    private readonly float _momentum;
    private readonly float _weightDecay;
    private readonly float[] _buffer;

    public SgdServerOptimizer(int length, float momentum, float weightDecay) : base(length)
    {
        _momentum = momentum;
        _weightDecay = weightDecay;
        // The first step of torch.optim.SGD sets b = d, which is what μ·0 + d gives: a zero buffer needs no special case.
        _buffer = momentum != 0 ? new float[length] : [];
    }

    public override IReadOnlyList<float[]> State => _momentum != 0 ? [_buffer] : [];

    public override void Apply(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> scratch, int offset, float lr, long step)
    {
        var d = gradient;
        if (_weightDecay != 0)
        {
            var decayed = scratch[..gradient.Length];
            TensorPrimitives.MultiplyAdd(weights, _weightDecay, gradient, decayed);
            d = decayed;
        }

        if (_momentum == 0)
        {
            TensorPrimitives.MultiplyAdd(d, -lr, weights, weights);
            return;
        }

        var buffer = _buffer.AsSpan(offset, gradient.Length);
        TensorPrimitives.MultiplyAdd(buffer, _momentum, d, buffer);
        TensorPrimitives.MultiplyAdd(buffer, -lr, weights, weights);
    }
}
