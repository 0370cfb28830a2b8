using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Models.Torch;

/// <summary>
/// Copies a list of tensors (a model's parameters, or their gradients) to and from one contiguous float32 buffer, in
/// order: the form in which weights and gradients travel to the parameter server. Each tensor moves as one block copy
/// of its memory (after one copy to the CPU for a GPU tensor), with no per-element loop.
/// </summary>
public static class FlatBuffer
{
    /// <summary>The number of floats the tensors hold together.</summary>
    public static long Count(IReadOnlyList<Tensor> tensors) => tensors.Sum(t => t.numel());

    public static void GatherValues(IReadOnlyList<Tensor> tensors, Span<float> destination) => Gather(tensors, destination, useGrad: false);

    /// <summary>Copies each tensor's gradient; a tensor without one contributes zeros.</summary>
    public static void GatherGradients(IReadOnlyList<Tensor> tensors, Span<float> destination) => Gather(tensors, destination, useGrad: true);

    public static void ScatterValues(IReadOnlyList<Tensor> tensors, ReadOnlySpan<float> source) => Scatter(tensors, source, intoGrad: false);

    /// <summary>Sets each tensor's gradient from the buffer (creating it where there is none).</summary>
    public static void ScatterGradients(IReadOnlyList<Tensor> tensors, ReadOnlySpan<float> source) => Scatter(tensors, source, intoGrad: true);

    private static void Gather(IReadOnlyList<Tensor> tensors, Span<float> destination, bool useGrad)
    {
        CheckLength(tensors, destination.Length);
        using var scope = NewDisposeScope();
        var offset = 0;
        foreach (var tensor in tensors)
        {
            var count = checked((int)tensor.numel());
            var target = destination.Slice(offset, count);
            var source = useGrad ? tensor.grad : tensor;
            if (source is null)
            {
                target.Clear();
            }
            else
            {
                Floats(OnCpu(source)).CopyTo(target);
            }

            offset += count;
        }
    }

    private static void Scatter(IReadOnlyList<Tensor> tensors, ReadOnlySpan<float> source, bool intoGrad)
    {
        CheckLength(tensors, source.Length);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var offset = 0;
        foreach (var tensor in tensors)
        {
            var count = checked((int)tensor.numel());
            var staged = empty(tensor.shape, ScalarType.Float32);
            source.Slice(offset, count).CopyTo(Floats(staged));
            var grad = intoGrad ? tensor.grad : null;
            if (intoGrad && grad is null)
            {
                tensor.grad = staged.to(tensor.device);
            }
            else
            {
                (grad ?? tensor).copy_(staged);
            }

            offset += count;
        }
    }

    private static void CheckLength(IReadOnlyList<Tensor> tensors, int length)
    {
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].dtype != ScalarType.Float32)
            {
                throw new ArgumentException($"flat buffers hold float32; tensor {i} is {tensors[i].dtype}", nameof(tensors));
            }
        }

        var count = Count(tensors);
        if (count != length)
        {
            throw new ArgumentException($"the tensors hold {count} floats but the buffer has {length}");
        }
    }

    /// <summary>The tensor itself when it is a contiguous CPU tensor, else a contiguous CPU copy (freed by the caller's scope).</summary>
    private static Tensor OnCpu(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.is_contiguous() ? tensor : tensor.detach().cpu().contiguous();

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}
