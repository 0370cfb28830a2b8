using PsTraining.Torch.Native;

namespace PsTraining.Torch;

/// <summary>
/// Copies a list of tensors (a model's parameters, or their gradients) to and from one contiguous
/// float32 buffer, in order: the form in which weights and gradients travel to the parameter server.
/// The copy runs natively, one memcpy-like copy per tensor, with no per-element managed loop.
/// </summary>
public static class FlatBuffer
{
    /// <summary>The number of floats the tensors hold together.</summary>
    public static long Count(IReadOnlyList<Tensor> tensors)
    {
        var total = 0L;
        foreach (var t in tensors)
        {
            total += t.numel();
        }

        return total;
    }

    public static void GatherValues(IReadOnlyList<Tensor> tensors, Span<float> destination) => Gather(tensors, destination, useGrad: false);

    /// <summary>Copies each tensor's gradient; a tensor without one contributes zeros.</summary>
    public static void GatherGradients(IReadOnlyList<Tensor> tensors, Span<float> destination) => Gather(tensors, destination, useGrad: true);

    public static void ScatterValues(IReadOnlyList<Tensor> tensors, ReadOnlySpan<float> source) => Scatter(tensors, source, intoGrad: false);

    /// <summary>Sets each tensor's gradient from the buffer (creating it where there is none).</summary>
    public static void ScatterGradients(IReadOnlyList<Tensor> tensors, ReadOnlySpan<float> source) => Scatter(tensors, source, intoGrad: true);

    private static unsafe void Gather(IReadOnlyList<Tensor> tensors, Span<float> destination, bool useGrad)
    {
        var raw = RawHandles(tensors);
        fixed (IntPtr* pt = raw)
        fixed (float* pd = destination)
        {
            NativeMethods.Check(NativeMethods.PST_flat_gather(pt, raw.Length, pd, destination.Length, useGrad ? (byte)1 : (byte)0));
        }

        GC.KeepAlive(tensors);
    }

    private static unsafe void Scatter(IReadOnlyList<Tensor> tensors, ReadOnlySpan<float> source, bool intoGrad)
    {
        var raw = RawHandles(tensors);
        fixed (IntPtr* pt = raw)
        fixed (float* ps = source)
        {
            NativeMethods.Check(NativeMethods.PST_flat_scatter(pt, raw.Length, ps, source.Length, intoGrad ? (byte)1 : (byte)0));
        }

        GC.KeepAlive(tensors);
    }

    private static IntPtr[] RawHandles(IReadOnlyList<Tensor> tensors)
    {
        var raw = new IntPtr[tensors.Count];
        for (var i = 0; i < raw.Length; i++)
        {
            var t = tensors[i];
            if (t.dtype != ScalarType.Float32)
            {
                throw new ArgumentException($"flat buffers hold float32; tensor {i} is {t.dtype}", nameof(tensors));
            }

            raw[i] = t.Handle.DangerousGetHandle();
        }

        return raw;
    }
}
