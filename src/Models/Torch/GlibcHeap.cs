using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PsTraining.Models.Torch;

/// <summary>
/// glibc's malloc, which libtorch takes every CPU tensor from: its tuning for training loops, and the bytes it has handed
/// out. Called through libc, with no C++ of ours.
/// </summary>
/// <remarks>
/// Between two training steps all activations and gradients are freed, so the top of glibc's heap becomes one large
/// free block; glibc gives it back to the kernel (trim) and the next step takes it again, so every activation page
/// faults anew on each step, and the step time turns bimodal (LeNet-5: 5.6–25 ms). In CPython the heap top stays pinned
/// by Python objects and the freed pages are reused, so the same libtorch runs faster there. Keep them here too: blocks
/// up to 32 MiB (the ceiling of glibc's own adaptive threshold) come from the heap, and the heap top is only trimmed
/// beyond 2 GiB free. Resident memory then stays at the peak of a step, as under PyTorch. Skipped when the user tunes
/// malloc (MALLOC_*_ variables, GLIBC_TUNABLES) or sets PSTRAINING_MALLOC_TUNING=0.
/// </remarks>
public static partial class GlibcHeap
{
    private const int TunedThreshold = 32 * 1024 * 1024;
    private const int MallocTrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD

    private static readonly string[] TuningVariables = ["MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"];

    /// <summary>The mmap threshold this process set (0 when it left glibc's own, which glibc has no call to read).</summary>
    public static int TunedMmapThreshold { get; private set; }

    /// <summary>Bytes that malloc has handed out and that are not freed yet, from the heap and from mmap (process-wide).</summary>
    public static long InUseBytes
    {
        get
        {
            if (!OperatingSystem.IsLinux())
            {
                return 0;
            }

            var info = mallinfo2();
            return (long)(info.uordblks + info.hblkhd);
        }
    }

    // Runs when the assembly is first used, before any model or tensor of ours exists: the tuning must precede the
    // first training step to matter, and every program that trains goes through this library.
#pragma warning disable CA2255 // A module initializer in a library: intended, see above.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Tune()
    {
        if (!OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable("PSTRAINING_MALLOC_TUNING") == "0"
            || TuningVariables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))))
        {
            return;
        }

        if (mallopt(MallocMmapThreshold, TunedThreshold) == 1 && mallopt(MallocTrimThreshold, int.MaxValue) == 1)
        {
            TunedMmapThreshold = TunedThreshold;
        }
    }

    [LibraryImport("libc.so.6")]
    private static partial int mallopt(int param, int value);

    [LibraryImport("libc.so.6")]
    private static partial MallInfo2 mallinfo2();

    /// <summary>glibc's struct mallinfo2 (glibc 2.33 and later): every field a size_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo2
    {
        public readonly nuint arena;
        public readonly nuint ordblks;
        public readonly nuint smblks;
        public readonly nuint hblks;
        public readonly nuint hblkhd;
        public readonly nuint usmblks;
        public readonly nuint fsmblks;
        public readonly nuint uordblks;
        public readonly nuint fordblks;
        public readonly nuint keepcost;
    }
}
