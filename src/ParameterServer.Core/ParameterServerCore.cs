using System.Numerics.Tensors;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Core;

/// <summary>
/// The parameter server without I/O: weights, versions, learners, staleness, consistency policies and the
/// server-side optimiser. The gRPC server drives it on the wall clock, the simulator on a virtual one
/// (the <see cref="TimeProvider"/> given here is its only clock).
/// <para>
/// Concurrency: admission decisions (sequence numbers, policy, the ticket that fixes a push's place in
/// the update order) happen under one short lock. The update itself runs shard by shard, each shard
/// taking updates in ticket order under its own lock, so consecutive pushes overlap on different shards.
/// A pull waits for the pushes in flight and copies a consistent snapshot.
/// </para>
/// </summary>
public sealed partial class ParameterServerCore : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ReaderWriterLockSlim _snapshotLock = new(LockRecursionPolicy.NoRecursion);
    private readonly LearnerTable _learners = new();
    private readonly float[] _weights;
    private readonly Shard[] _shards;
    private readonly ServerOptimizer _optimizer;
    private readonly TimeProvider _time;
    private TaskCompletionSource? _changed; // made only when someone waits, so that a push nobody waits on allocates nothing
    private readonly PsInstruments? _instruments;
    private uint _nextLearnerId = 1;
    private long _issued;
    private long _version;
    private ulong _applied;
    private ulong _duplicates;
    private ulong _rejected;
    private ulong _lost;

    public ParameterServerCore(ParameterLayout layout, ReadOnlySpan<float> initialWeights, CoreOptions options, TimeProvider? time = null,
        PsInstruments? instruments = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }

        if (initialWeights.Length != layout.TotalLength)
        {
            throw new ArgumentException($"initial weights hold {initialWeights.Length} floats but the layout {layout.TotalLength}");
        }

        Layout = layout;
        Options = options;
        _time = time ?? TimeProvider.System;
        _weights = initialWeights.ToArray();
        _shards = Shard.Split(layout.TotalLength, options.Shards);
        _optimizer = ServerOptimizer.Create(options.Optimizer, layout.TotalLength);
        _instruments = instruments;
    }

    public ParameterLayout Layout { get; }

    public CoreOptions Options { get; }

    /// <summary>The model version: updates applied so far.</summary>
    public ulong Version => (ulong)Volatile.Read(ref _version);

    /// <summary>Completes at the next change of state (a push applied, a learner joining, leaving or heard from).</summary>
    public Task WaitForChangeAsync()
    {
        var signal = Volatile.Read(ref _changed);
        if (signal is null)
        {
            var fresh = NewSignal();
            signal = Interlocked.CompareExchange(ref _changed, fresh, null) ?? fresh;
        }

        return signal.Task;
    }

    // ---- learners ---------------------------------------------------------------------------

    /// <summary>
    /// Registers a learner, or resumes <paramref name="resumeId"/> (keeping its sequence numbers) when given.
    /// <paramref name="acknowledgedSequence"/> is the last push the learner saw acknowledged here before: when the
    /// server restarted from a checkpoint older than that, the pushes in between were lost, and Lost counts them.
    /// </summary>
    public (uint LearnerId, ulong LastSequence, ulong Lost) Register(string name, uint resumeId = 0, ulong acknowledgedSequence = 0)
    {
        lock (_gate)
        {
            LearnerState learner;
            if (resumeId != 0 && _learners.Find(resumeId) is { } known)
            {
                learner = known;
                learner.Name = string.IsNullOrEmpty(name) ? learner.Name : name;
                if (learner.Left)
                {
                    learner.Left = false;
                    learner.Clock = Math.Max(learner.Clock, MinLiveClock(except: learner) ?? learner.Clock);
                }
            }
            else
            {
                // An unknown id (e.g. after a server restart without it) is granted as asked, so the learner keeps its identity.
                var id = resumeId != 0 ? resumeId : NextFreeId();
                learner = new LearnerState(id, string.IsNullOrEmpty(name) ? $"learner-{id}" : name) { Clock = MinLiveClock(except: null) ?? 0 };
                _learners.Add(learner);
                _nextLearnerId = Math.Max(_nextLearnerId, id + 1);
            }

            var lost = acknowledgedSequence > learner.LastSequence ? acknowledgedSequence - learner.LastSequence : 0;
            if (lost > 0)
            {
                _lost += lost;
                _instruments?.Lost(learner.Name, lost);
            }

            Touch(learner);
            SignalChange();
            return (learner.Id, learner.LastSequence, lost);
        }
    }

    /// <summary>Records that the learner is alive.</summary>
    public void Heartbeat(uint learnerId)
    {
        lock (_gate)
        {
            Touch(Known(learnerId));
            SignalChange();
        }
    }

    /// <summary>The learner leaves: it stops holding SSP and BSP back. It may register again later.</summary>
    public void Leave(uint learnerId)
    {
        lock (_gate)
        {
            var learner = Known(learnerId);
            learner.Left = true;
            learner.Backup = null;
            SignalChange();
        }

        Tick();
    }

    /// <summary>Re-evaluates what depends on time passing: heartbeats that expired may let a BSP round close.</summary>
    public void Tick() => TryCloseRound(force: false);

    // ---- pull -------------------------------------------------------------------------------

    /// <summary>
    /// Copies a consistent snapshot of the weights into <paramref name="destination"/> and returns its version.
    /// <paramref name="learnerId"/> 0 is an anonymous reader (evaluation); a learner's pull is remembered for
    /// delay compensation.
    /// </summary>
    public ulong Pull(uint learnerId, Span<float> destination)
    {
        if (destination.Length != _weights.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, the model {_weights.Length}");
        }

        LearnerState? learner = null;
        if (learnerId != 0)
        {
            lock (_gate)
            {
                learner = Known(learnerId);
                if (learner.Left)
                {
                    throw new PsException(PsErrorCode.FailedPrecondition, $"learner {learnerId} has left; register again to rejoin");
                }

                Touch(learner);
            }
        }

        _snapshotLock.EnterWriteLock();
        try
        {
            _weights.CopyTo(destination);
            var version = Version;
            if (learner is not null && Options.DelayCompensation > 0)
            {
                lock (_gate)
                {
                    learner.Backup ??= new float[_weights.Length];
                    _weights.CopyTo(learner.Backup, 0);
                    learner.BackupVersion = version;
                }
            }

            return version;
        }
        finally
        {
            _snapshotLock.ExitWriteLock();
        }
    }

    private uint NextFreeId()
    {
        while (_learners.Contains(_nextLearnerId))
        {
            _nextLearnerId++;
        }

        return _nextLearnerId++;
    }

    private LearnerState Known(uint learnerId) =>
        _learners.Find(learnerId)
        ?? throw Reject(PsErrorCode.NotFound, "unknown_learner", $"learner {learnerId} is not registered; call Register first");

    private bool IsLive(LearnerState l, DateTimeOffset now) => !l.Left && now - l.LastSeen <= Options.HeartbeatTimeout;

    /// <summary>Marks the learner as heard from; one that had timed out rejoins at the slowest live clock, so that it does not hold the others back.</summary>
    private void Touch(LearnerState learner)
    {
        var now = _time.GetUtcNow();
        if (!learner.Left && !IsLive(learner, now) && learner.LastSeen != default)
        {
            learner.Clock = Math.Max(learner.Clock, MinLiveClock(except: learner) ?? learner.Clock);
        }

        learner.LastSeen = now;
    }

    /// <summary>
    /// The slowest live clock, where a (re)joining learner starts so that it does not hold SSP back. Clocks bound
    /// nobody under ASP and BSP, so there it is not looked for, and registering many learners stays linear.
    /// </summary>
    private long? MinLiveClock(LearnerState? except)
    {
        if (Options.Policy.Kind != PolicyKind.Ssp)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        long? min = null;
        foreach (var l in _learners)
        {
            if (l != except && IsLive(l, now) && (min is null || l.Clock < min))
            {
                min = l.Clock;
            }
        }

        return min;
    }

    private void SignalChange()
    {
        if (Volatile.Read(ref _changed) is not null)
        {
            Interlocked.Exchange(ref _changed, null)?.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => _snapshotLock.Dispose();
}
