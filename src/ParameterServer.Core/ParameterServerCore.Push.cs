using System.Numerics.Tensors;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Core;

public sealed partial class ParameterServerCore
{
    private BspRound? _round;
    private float[]? _spareRoundSum;

    /// <summary>
    /// Offers a push without blocking. Invalid input throws <see cref="PsException"/> and changes nothing;
    /// otherwise the outcome says whether it was applied, joined a BSP round, or must wait.
    /// </summary>
    public PushOutcome TryPush(PushInput input)
    {
        var gradient = input.Gradient.Span;
        if (gradient.Length != _weights.Length)
        {
            throw Reject(PsErrorCode.InvalidArgument, "wrong_shape", $"the gradient holds {gradient.Length} floats but the model {_weights.Length}");
        }

        if (!Finite.All(gradient))
        {
            throw Reject(PsErrorCode.InvalidArgument, "not_finite", $"the gradient of learner {input.LearnerId} (sequence {input.Sequence}) contains NaN or Inf; nothing was applied");
        }

        if (Options.Policy.Kind == PolicyKind.Bsp)
        {
            return PushToRound(input);
        }

        if (_weights.Length == 0)
        {
            // An empty model (the simulator's staleness-only mode): there is nothing for a pull to see half-applied and no
            // shard to overlap on, so the push is admitted, applied and finished in one lock section, without the snapshot lock.
            lock (_gate)
            {
                if (Admit(input, out var admission) is { } early)
                {
                    return early;
                }

                ApplyShards(admission.Ticket, gradient, admission.LearningRate, backup: null);
                return Complete(admission, input);
            }
        }

        _snapshotLock.EnterReadLock();
        try
        {
            Admission admission;
            lock (_gate)
            {
                if (Admit(input, out admission) is { } early)
                {
                    return early;
                }
            }

            ApplyShards(admission.Ticket, gradient, admission.LearningRate, admission.Backup);

            lock (_gate)
            {
                return Complete(admission, input);
            }
        }
        finally
        {
            _snapshotLock.ExitReadLock();
        }
    }

    /// <summary>A push let through: its learner, its place in the update order (the version it produces), its staleness and rate.</summary>
    private readonly record struct Admission(LearnerState Learner, long Ticket, ulong Staleness, float LearningRate, float[]? Backup);

    /// <summary>Under the admission lock: the push's checks and the policy, then its ticket; or the early answer (null when admitted).</summary>
    private PushOutcome? Admit(PushInput input, out Admission admission)
    {
        admission = default;
        var learner = Known(input.LearnerId);
        if (Check(learner, input) is { } early)
        {
            return early;
        }

        if (Options.Policy.Kind == PolicyKind.Ssp && SspHold(learner) is { } held)
        {
            return held;
        }

        var ticket = ++_issued;
        var staleness = (ulong)(ticket - 1) - input.ReadVersion;
        learner.InFlight = input.Sequence;
        admission = new Admission(learner, ticket, staleness, LearningRateFor(staleness), Options.DelayCompensation > 0 ? learner.Backup : null);
        return null;
    }

    /// <summary>Under the admission lock, once the update is applied: records it on its learner and wakes those waiting for a change.</summary>
    private PushOutcome Complete(Admission admission, PushInput input)
    {
        var result = new PushResult((ulong)admission.Ticket, admission.Staleness, false, admission.LearningRate);
        Finish(admission.Learner, input.Sequence, input.Loss, result);
        SignalChange();
        return PushOutcome.Done(result);
    }

    /// <summary>Pushes, waiting as the policy requires; cancelling <paramref name="cancellation"/> (a deadline) abandons the wait.</summary>
    public async Task<PushResult> PushAsync(PushInput input, CancellationToken cancellation = default)
    {
        long? heldSince = null;
        while (true)
        {
            var changed = WaitForChangeAsync(); // taken before trying, so that no change between the two is missed
            var outcome = TryPush(input);
            if (outcome.Result is { } done)
            {
                if (heldSince is { } since && Options.Policy.Kind == PolicyKind.Ssp)
                {
                    _instruments?.SspWait(_time.GetElapsedTime(since));
                }

                return done;
            }

            heldSince ??= _time.GetTimestamp();

            if (outcome.Pending is { } pending)
            {
                // Heartbeats may expire while the round waits for a learner that is gone: look again now and then.
                while (!pending.IsCompleted)
                {
                    await WaitAsync(pending, Options.HeartbeatTimeout / 4, cancellation).ConfigureAwait(false);
                    Tick();
                }

                return await pending.ConfigureAwait(false);
            }

            await WaitAsync(changed, outcome.RetryAfter ?? Timeout.InfiniteTimeSpan, cancellation).ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(Task signal, TimeSpan atMost, CancellationToken cancellation)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var delay = Task.Delay(atMost, _time, timer.Token);
        await Task.WhenAny(signal, delay).ConfigureAwait(false);
        timer.Cancel();
        cancellation.ThrowIfCancellationRequested();
    }

    /// <summary>The checks every push passes, under the admission lock: null to go on, or the early answer.</summary>
    private PushOutcome? Check(LearnerState learner, PushInput input)
    {
        if (learner.Left)
        {
            throw Reject(PsErrorCode.FailedPrecondition, "left", $"learner {learner.Id} has left; register again to rejoin");
        }

        Touch(learner);
        if (input.Sequence == learner.LastSequence && learner.LastResult is { } last)
        {
            _duplicates++;
            _instruments?.Duplicate(learner.Name);
            return PushOutcome.Done(last with { Duplicate = true });
        }

        if (learner.InFlight == input.Sequence)
        {
            return learner.PendingRound is { } round
                ? PushOutcome.InRound(round.Task)
                : PushOutcome.Blocked($"push {input.Sequence} of learner {learner.Id} is still being applied");
        }

        if (input.Sequence <= learner.LastSequence)
        {
            throw Reject(PsErrorCode.FailedPrecondition, "replay",
                $"sequence {input.Sequence} of learner {learner.Id} is a replay: the server has applied up to {learner.LastSequence}");
        }

        if (input.Sequence != learner.LastSequence + 1 || learner.InFlight is not null)
        {
            throw Reject(PsErrorCode.InvalidArgument, "sequence_gap",
                $"learner {learner.Id} must push sequence {learner.LastSequence + 1} next (one at a time), not {input.Sequence}");
        }

        if (input.ReadVersion > Version)
        {
            throw Reject(PsErrorCode.InvalidArgument, "read_version_ahead", $"read version {input.ReadVersion} is ahead of the server's version {Version}");
        }

        if (Options.DelayCompensation > 0 && (learner.Backup is null || learner.BackupVersion != input.ReadVersion))
        {
            throw Reject(PsErrorCode.FailedPrecondition, "no_read_snapshot",
                $"delay compensation needs the weights learner {learner.Id} read: it last pulled version {learner.BackupVersion}, the push says {input.ReadVersion}");
        }

        return null;
    }

    /// <summary>SSP: hold the push while this learner is more than s clocks ahead of the slowest live learner.</summary>
    private PushOutcome? SspHold(LearnerState learner)
    {
        var now = _time.GetUtcNow();
        var bound = Options.Policy.Staleness;
        TimeSpan? soonestExpiry = null;
        var slowest = long.MaxValue;
        foreach (var other in _learners)
        {
            if (other == learner || !IsLive(other, now))
            {
                continue;
            }

            slowest = Math.Min(slowest, other.Clock);
            if (learner.Clock - other.Clock > bound)
            {
                var expiry = other.LastSeen + Options.HeartbeatTimeout - now;
                soonestExpiry = soonestExpiry is null || expiry < soonestExpiry ? expiry : soonestExpiry;
            }
        }

        return soonestExpiry is null
            ? null
            : PushOutcome.Blocked($"learner {learner.Id} is at clock {learner.Clock}, more than {bound} ahead of the slowest live learner ({slowest})",
                soonestExpiry.Value + TimeSpan.FromMilliseconds(1));
    }

    private float LearningRateFor(ulong staleness) =>
        Options.StalenessAwareLearningRate ? Options.LearningRate / Math.Max(1, staleness) : Options.LearningRate;

    /// <summary>Applies one update as model version <paramref name="ticket"/>, shard by shard in ticket order. The caller holds the snapshot read lock.</summary>
    private void ApplyShards(long ticket, ReadOnlySpan<float> gradient, float lr, float[]? backup)
    {
        var lambda = Options.DelayCompensation;
        for (var k = 0; k < _shards.Length; k++)
        {
            var shard = _shards[k];
            shard.WaitTurn(ticket);
            var w = _weights.AsSpan(shard.Start, shard.Length);
            var g = gradient.Slice(shard.Start, shard.Length);
            if (backup is not null)
            {
                // DC-ASGD: g + λ·g⊙g⊙(w − w_read).
                var c = shard.CompensatedScratch.AsSpan();
                TensorPrimitives.Subtract(w, backup.AsSpan(shard.Start, shard.Length), c);
                TensorPrimitives.Multiply(c, g, c);
                TensorPrimitives.Multiply(c, g, c);
                TensorPrimitives.MultiplyAdd(c, lambda, g, c);
                g = c;
            }

            _optimizer.Apply(w, g, shard.Scratch, shard.Start, lr, ticket);
            if (k == _shards.Length - 1)
            {
                Volatile.Write(ref _version, ticket);
            }

            shard.EndTurn(ticket);
        }
    }

    /// <summary>Records an applied push on its learner. Under the admission lock.</summary>
    private void Finish(LearnerState learner, ulong sequence, float loss, PushResult result)
    {
        learner.LastSequence = sequence;
        learner.LastResult = result;
        learner.InFlight = null;
        learner.PendingRound = null;
        learner.Clock++;
        learner.Pushes++;
        learner.StalenessSum += result.Staleness;
        learner.MaxStaleness = Math.Max(learner.MaxStaleness, result.Staleness);
        _instruments?.Staleness(learner.Name, result.Staleness);
        _instruments?.Applied(learner.Name);
        if (!float.IsNaN(loss))
        {
            learner.LastLoss = loss;
        }

        _applied++;
    }

    /// <summary>Counts a refusal (by <paramref name="reason"/>, for the metrics) and returns the exception to throw; nothing was changed.</summary>
    private PsException Reject(PsErrorCode code, string reason, string message)
    {
        lock (_gate)
        {
            _rejected++;
        }

        _instruments?.Rejected(reason);

        return new PsException(code, message);
    }

    // ---- BSP ----------------------------------------------------------------------------------

    private PushOutcome PushToRound(PushInput input)
    {
        TaskCompletionSource<PushResult> done;
        lock (_gate)
        {
            var learner = Known(input.LearnerId);
            if (Check(learner, input) is { } early)
            {
                return early;
            }

            _round ??= new BspRound(TakeRoundBuffer());
            TensorPrimitives.Add(_round.Sum, input.Gradient.Span, _round.Sum);
            done = new TaskCompletionSource<PushResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _round.Contributions.Add((learner, input.Sequence, input.ReadVersion, input.Loss, done));
            learner.InFlight = input.Sequence;
            learner.PendingRound = done;
            SignalChange();
        }

        TryCloseRound(force: false);
        return done.Task.IsCompletedSuccessfully ? PushOutcome.Done(done.Task.Result) : PushOutcome.InRound(done.Task);
    }

    /// <summary>Applies the open round's mean once every live learner has contributed to it.</summary>
    private void TryCloseRound(bool force)
    {
        BspRound round;
        lock (_gate)
        {
            if (_round is null || _round.Contributions.Count == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (!force && _learners.Any(l => IsLive(l, now) && !_round.Contains(l)))
            {
                return;
            }

            round = _round;
            _round = null;
        }

        var k = round.Contributions.Count;
        TensorPrimitives.Multiply(round.Sum, 1f / k, round.Sum);
        var results = new PushResult[k];
        _snapshotLock.EnterReadLock();
        try
        {
            long ticket;
            float lr;
            lock (_gate)
            {
                ticket = ++_issued;
                var maxStaleness = round.Contributions.Max(c => (ulong)(ticket - 1) - c.ReadVersion);
                lr = LearningRateFor(maxStaleness);
            }

            ApplyShards(ticket, round.Sum, lr, backup: null);
            lock (_gate)
            {
                for (var i = 0; i < k; i++)
                {
                    var c = round.Contributions[i];
                    results[i] = new PushResult((ulong)ticket, (ulong)(ticket - 1) - c.ReadVersion, false, lr);
                    Finish(c.Learner, c.Sequence, c.Loss, results[i]);
                }

                Array.Clear(round.Sum);
                _spareRoundSum = round.Sum;
                SignalChange();
            }
        }
        finally
        {
            _snapshotLock.ExitReadLock();
        }

        for (var i = 0; i < k; i++)
        {
            round.Contributions[i].Done.TrySetResult(results[i]);
        }
    }

    private float[] TakeRoundBuffer()
    {
        var buffer = _spareRoundSum ?? new float[_weights.Length];
        _spareRoundSum = null;
        return buffer;
    }

    // ---- statistics ---------------------------------------------------------------------------

    public StatsSnapshot Stats()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var learners = _learners.OrderBy(l => l.Id).Select(l => new LearnerSnapshot(
                l.Id, l.Name, l.Pushes, l.LastSequence, l.Pushes == 0 ? 0 : (double)l.StalenessSum / l.Pushes, l.MaxStaleness, l.LastLoss,
                IsLive(l, now), l.Clock)).ToList();
            var dcFloats = _learners.Sum(l => (long)(l.Backup?.Length ?? 0));
            return new StatsSnapshot(Version, _applied, _duplicates, _rejected, Options.Policy, learners, dcFloats, _lost);
        }
    }
}
