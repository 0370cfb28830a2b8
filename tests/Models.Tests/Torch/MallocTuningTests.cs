using PsTraining.Models.Torch;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>The malloc tuning that PsTraining.Models applies when it loads (<see cref="GlibcHeap"/>), and the heap it reports.</summary>
public sealed class MallocTuningTests
{
    [Fact]
    public void The_mmap_threshold_is_tuned_unless_the_environment_tunes_malloc_itself()
    {
        // GlibcHeap's rule: no tuning when PSTRAINING_MALLOC_TUNING=0 or malloc is tuned by the environment.
        var untouched = Environment.GetEnvironmentVariable("PSTRAINING_MALLOC_TUNING") == "0"
                        || new[] { "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" }
                            .Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));
        Assert.Equal(untouched ? 0 : 32 << 20, GlibcHeap.TunedMmapThreshold);
    }

    [Fact]
    public void Bytes_in_use_count_a_tensor_that_libtorch_takes_from_malloc()
    {
        // 64 MiB is over any mmap threshold (ours, 32 MiB, and glibc's adaptive one, capped at 32 MiB), so it is one block
        // of its own, counted at once and given back on free. This runs alone, but the runtime's own threads may allocate
        // meanwhile: checked to within a few MiB.
        const long Size = 64L << 20;
        using (zeros([Size / sizeof(float)]))
        {
            // The first tensor operation of the process also sets up libtorch (its thread pools, its allocator's state).
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GlibcHeap.InUseBytes;
        var held = zeros([Size / sizeof(float)]);
        var during = GlibcHeap.InUseBytes;
        held.Dispose();
        var after = GlibcHeap.InUseBytes;
        Assert.InRange(during - before, Size - (8 << 20), Size + (8 << 20));
        Assert.InRange(during - after, Size - (8 << 20), Size + (8 << 20));
    }
}
