using TorchSharp;

namespace PsTraining.Models.Torch;

/// <summary>
/// A seeded computation's hold on the two pieces of libtorch state that decide its bits, so that the same seed and thread
/// count give the same numbers whatever else the process is doing:
/// <list type="bullet">
/// <item>The random generator. libtorch has one default generator per process and device, shared by every thread: a draw
/// made by another thread between this computation's seed and its own draws (another experiment initialising a model,
/// a test calling <c>rand</c>) shifts every number after it. So a seeded computation holds a process-wide gate from its
/// seed to its end (<see cref="Enter"/>, <see cref="Reseed"/>), and our own unseeded draws (a model built by
/// <c>ModelRegistry.Create</c>) pass the gate too (<see cref="Draw"/>), so they wait until the seeded computation ends.
/// TorchSharp's own calls cannot be gated: code that draws from the default generator on another thread while a
/// seeded computation runs must hold <see cref="Draw"/> itself. The gate is reentrant: an experiment that runs an
/// earlier one nests.</item>
/// <item>The intra-op thread count. A reduction split over another number of threads adds in another order and gives
/// other bits. libtorch keeps the count per OpenMP thread (a new thread takes the last count set anywhere), so it is
/// set on this thread on entry and the previous count is put back on exit.</item>
/// </list>
/// Everything between <see cref="Enter"/> and <see cref="Dispose"/> must run on the entering thread.
/// </summary>
public sealed class Reproducible : IDisposable
{
    private static readonly Lock Gate = new();

    private readonly int _previousThreads;
    private bool _disposed;

    private Reproducible(long seed, int? threads)
    {
        _previousThreads = torch.get_num_threads();
        Threads = threads ?? _previousThreads;
        if (Threads != _previousThreads)
        {
            torch.set_num_threads(Threads);
        }

        torch.manual_seed(seed);
        Seed = seed;
    }

    public long Seed { get; }

    /// <summary>libtorch's intra-op thread count inside this scope.</summary>
    public int Threads { get; }

    /// <summary>
    /// Waits for the gate (a seeded computation on another thread holds it until it ends), seeds the generators with
    /// <paramref name="seed"/> and sets this thread's intra-op thread count (null keeps the current one).
    /// </summary>
    public static Reproducible Enter(long seed, int? threads = null)
    {
        if (threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "the libtorch thread count must be at least 1");
        }

        Gate.Enter();
        try
        {
            return new Reproducible(seed, threads);
        }
        catch
        {
            Gate.Exit();
            throw;
        }
    }

    /// <summary>Seeds the generators again (a fresh model per trial), inside a scope that this thread holds.</summary>
    public static void Reseed(long seed)
    {
        if (!Gate.IsHeldByCurrentThread)
        {
            throw new InvalidOperationException("a reseed outside a Reproducible scope would race with other threads' draws: enter one first");
        }

        torch.manual_seed(seed);
    }

    /// <summary>Held around an unseeded draw from libtorch's generators: it waits while another thread's seeded computation runs.</summary>
    public static Lock.Scope Draw() => Gate.EnterScope();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Threads != _previousThreads)
        {
            torch.set_num_threads(_previousThreads);
        }

        Gate.Exit();
    }
}
