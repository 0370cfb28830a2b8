using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Simulation;

/// <summary>
/// The discrete-event engine in staleness-only mode: constant-speed learners drive the real parameter-server core
/// (an empty model, so no gradient math) on a virtual clock. A learner reads the weights, computes for its step time,
/// pushes, and reads again at once; pushes and pulls take no time. Simultaneous events are ordered by time, then by
/// ascending learner number. Under SSP a held push waits until another push lets it through; under BSP a learner
/// waits for its round; either way its next step starts when its push is applied.
/// </summary>
public sealed class StalenessSimulation
{
    private readonly long[] _stepTicks;
    private readonly ConsistencyPolicy _policy;

    public StalenessSimulation(IReadOnlyList<long> stepTicks, ConsistencyPolicy policy)
    {
        if (stepTicks.Count == 0 || stepTicks.Any(t => t <= 0))
        {
            throw new ArgumentException("every learner needs a step time > 0");
        }

        _stepTicks = [.. stepTicks];
        _policy = policy;
    }

    /// <summary>Runs until virtual time <paramref name="untilTicks"/> (events at that instant included); returns the gradients in the order applied.</summary>
    public List<AppliedGradient> Run(long untilTicks, TimeScale scale)
    {
        var clock = new VirtualClock(scale);
        var options = new CoreOptions { Shards = 1, LearningRate = 1, Policy = _policy, HeartbeatTimeout = TimeSpan.FromDays(365 * 1000) }; // learners never time out here
        using var core = new ParameterServerCore(new ParameterLayout([]), [], options, clock);
        var n = _stepTicks.Length;
        var read = new ulong[n];
        var index = new int[n];
        var pending = new Task<PushResult>?[n];
        var held = new SortedSet<int>();
        var events = new PriorityQueue<int, (long Ticks, int Learner)>();
        for (var i = 0; i < n; i++)
        {
            core.Register($"L{i + 1}");
            read[i] = core.Pull((uint)(i + 1), []);
            events.Enqueue(i, (_stepTicks[i], i));
        }

        var applied = new List<AppliedGradient>();
        while (events.TryDequeue(out var learner, out var at) && at.Ticks <= untilTicks)
        {
            clock.AdvanceTo(at.Ticks);
            index[learner]++;
            Offer(learner);

            // A push may have released others: held SSP pushes and the learners of a completed BSP round go on now, in learner order.
            bool progressed;
            do
            {
                progressed = false;
                foreach (var other in held.ToList())
                {
                    progressed |= Offer(other);
                }

                for (var other = 0; other < n; other++)
                {
                    if (pending[other] is { IsCompleted: true } done)
                    {
                        pending[other] = null;
                        Applied(other, done.Result);
                        progressed = true;
                    }
                }
            }
            while (progressed);
        }

        return applied;

        bool Offer(int learner)
        {
            var outcome = core.TryPush(new PushInput((uint)(learner + 1), (ulong)index[learner], read[learner], ReadOnlyMemory<float>.Empty));
            if (outcome.Result is { } result)
            {
                held.Remove(learner);
                Applied(learner, result);
                return true;
            }

            if (outcome.Pending is { } round)
            {
                held.Remove(learner);
                pending[learner] = round;
                return false;
            }

            held.Add(learner);
            return false;
        }

        void Applied(int learner, PushResult result)
        {
            applied.Add(new AppliedGradient(learner + 1, index[learner], clock.Ticks, read[learner], result.Staleness));
            read[learner] = core.Pull((uint)(learner + 1), []);
            events.Enqueue(learner, (clock.Ticks + _stepTicks[learner], learner));
        }
    }
}
