using PsTraining.Torch.Native;

namespace PsTraining.Torch;

/// <summary>
/// Caps the CPU tensor memory that this thread allocates until disposed: an allocation that would pass the cap fails
/// inside libtorch, as a real out-of-memory does, with a <see cref="TorchOutOfMemoryException"/>. Linux rarely fails an
/// oversized allocation (it overcommits, then kills the process), so a cap is how a CPU run reports running out of
/// memory instead of being killed. CUDA tensors are not counted: the device's own memory limits them.
/// </summary>
public sealed class CpuMemoryLimit : IDisposable
{
    private bool _disposed;

    internal CpuMemoryLimit(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        NativeMethods.Check(NativeMethods.PST_memory_limit_push(bytes));
        Bytes = bytes;
    }

    public long Bytes { get; }

    /// <summary>Bytes allocated under this limit (the innermost one of the thread) and not yet freed.</summary>
    public static long InUse => Math.Max(0, NativeMethods.PST_memory_limit_in_use());

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            NativeMethods.PST_memory_limit_pop();
        }
    }
}
