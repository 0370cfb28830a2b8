using static TorchSharp.torch;

namespace PsTraining.Models.Torch;

/// <summary>
/// Tensors made from .NET arrays, with their values in memory that libtorch allocated. TorchSharp's
/// <c>torch.tensor(array)</c> keeps the values in a pinned copy of the array on the GC heap, aligned wherever the GC puts
/// it; MKL chooses its code path by the alignment of the operands, so the same values at another address can round
/// differently, and two runs of a seeded computation would not give the same bits. libtorch's allocator aligns every
/// block to 64 bytes, wherever it lies.
/// </summary>
public static class LibtorchTensor
{
    public static Tensor From(double[] values, ReadOnlySpan<long> shape)
    {
        using var staged = tensor(values, shape);
        return staged.clone();
    }

    public static Tensor From(float[] values, ReadOnlySpan<long> shape)
    {
        using var staged = tensor(values, shape);
        return staged.clone();
    }
}
