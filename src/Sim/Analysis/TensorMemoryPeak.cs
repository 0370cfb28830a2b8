using PsTraining.Torch;

namespace PsTraining.Sim.Analysis;

/// <summary>
/// The peak of libtorch's CPU tensor memory that this thread allocated and still holds, from its creation to its
/// disposal, sampled at the points a computation calls <see cref="Sample"/>. libtorch's allocator counts the bytes (an
/// unreachable <see cref="CpuMemoryLimit"/>), so the figure is what the computation keeps alive and nothing else: the
/// resident memory of the process would also depend on what malloc's heap kept from earlier work, and differ between runs.
/// </summary>
internal sealed class TensorMemoryPeak : IDisposable
{
    private readonly CpuMemoryLimit _counter = torch.LimitCpuMemory(long.MaxValue);

    /// <summary>The most bytes in use at any sample so far.</summary>
    public long Bytes { get; private set; }

    public void Sample() => Bytes = Math.Max(Bytes, CpuMemoryLimit.InUse);

    public void Dispose() => _counter.Dispose();
}
