using PsTraining.Models.Torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// The peak of the CPU memory that a computation holds beyond what was in use when this object was created, sampled at
/// the points the computation calls <see cref="Sample"/>. libtorch takes every CPU tensor from glibc's malloc, so the
/// count is malloc's bytes in use (<see cref="GlibcHeap.InUseBytes"/>) minus that baseline: the tensors the computation
/// keeps alive, with the small blocks that go with them (autograd's graph nodes, malloc's chunk headers). The resident
/// memory of the process would also depend on what malloc's heap kept from earlier work, and differ between runs.
/// </summary>
/// <remarks>
/// The count is process-wide: whatever another thread allocates or frees meanwhile (tensors, a finaliser freeing a
/// leaked one) is counted too, so a peak must be measured where nothing else runs. The experiments run one at a time.
/// Tensors made from managed arrays (<c>torch.tensor(array)</c>) live on the GC heap and are not counted; CUDA tensors
/// neither.
/// </remarks>
internal sealed class TensorMemoryPeak
{
    private readonly long _baseline = GlibcHeap.InUseBytes;

    /// <summary>The most bytes in use above the baseline at any sample since the creation (or the last <see cref="Restart"/>).</summary>
    public long Bytes { get; private set; }

    public void Sample() => Bytes = Math.Max(Bytes, GlibcHeap.InUseBytes - _baseline);

    /// <summary>Starts a new peak over the same baseline (the next step of a loop, say).</summary>
    public void Restart() => Bytes = 0;
}
