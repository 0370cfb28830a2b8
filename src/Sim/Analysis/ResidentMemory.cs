using System.Globalization;
using System.Runtime.InteropServices;
using PsTraining.Torch;

namespace PsTraining.Sim.Analysis;

/// <summary>
/// The resident memory (VmRSS) of this process, read from /proc/self/status: a real measurement of what a computation
/// keeps alive, taken while the allocator hands freed memory straight back to the system.
/// </summary>
public static partial class ResidentMemory
{
    private const int MmapThreshold = -3; // glibc's M_MMAP_THRESHOLD
    private const int GlibcDefaultMmapThreshold = 128 * 1024;

    /// <summary>VmRSS in bytes.</summary>
    public static long Bytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            throw new InvalidOperationException("measuring memory needs Linux's /proc/self/status");
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("/proc/self/status has no VmRSS line");
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// Until disposed, glibc serves an allocation of <paramref name="threshold"/> bytes or more that its heap's free
    /// blocks cannot hold by mmap, and unmaps it on free. Without this, freed tensor memory stays in malloc's heap and a
    /// later run reuses it without growing the RSS, so its measured growth would depend on what ran before. Disposing
    /// puts back the native shim's threshold (32 MiB), so that the experiments that run next keep their heap.
    /// </summary>
    public static IDisposable FreedMemoryReturned(int threshold = 64 * 1024)
    {
        if (Mallopt(MmapThreshold, threshold) != 1)
        {
            throw new InvalidOperationException("mallopt(M_MMAP_THRESHOLD) failed: this measurement needs glibc");
        }

        return new ThresholdRestore();
    }

    /// <summary>The peak growth of the RSS over a computation, sampled at the points the computation calls <see cref="Sample"/>.</summary>
    public sealed class Peak
    {
        private readonly long _baseline;
        private long _peak;

        public Peak()
        {
            // Free what earlier runs left to the finaliser, so that it is not freed (or counted) in the middle of this one.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            _baseline = Bytes();
            _peak = _baseline;
        }

        public void Sample() => _peak = Math.Max(_peak, Bytes());

        public long Growth => _peak - _baseline;
    }

    /// <summary>Puts back the threshold the native shim set at load (so that what runs next keeps its heap), or glibc's default.</summary>
    private sealed class ThresholdRestore : IDisposable
    {
        public void Dispose() => Mallopt(MmapThreshold, torch.TunedMmapThreshold is > 0 and var tuned ? tuned : GlibcDefaultMmapThreshold);
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);
}
