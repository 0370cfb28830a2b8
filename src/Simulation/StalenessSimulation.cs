using PsTraining.Models.Learning;
using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.Simulation;

/// <summary>
/// The discrete-event engine in staleness-only mode: learners with speed models drive the real parameter-server core
/// (an empty model, so no gradient math) on a virtual clock. A learner reads the weights, computes for its step time,
/// pushes, and reads again at once; pushes and pulls take no time. Simultaneous events are ordered by time, then by
/// ascending learner number. Under SSP a held push waits until another push lets it through; under BSP a learner
/// waits for its round; either way its next step starts when its push is applied.
/// </summary>
public sealed class StalenessSimulation
{
    private readonly IReadOnlyList<SpeedModel> _speeds;
    private readonly ConsistencyPolicy _policy;
    private readonly long _seed;
    private readonly IGradientSource? _gradients;
    private readonly CoreOptions? _coreOptions;
    private readonly IReadOnlyList<long>? _stepTicks;

    /// <summary>
    /// Learner i (0-based here, i + 1 on the wire) follows <paramref name="speeds"/>[i]; random models draw from a generator
    /// seeded by (seed, i). With <paramref name="gradients"/> (hybrid mode) each push carries a real gradient computed on the
    /// weights that learner read, and the core applies it with <paramref name="coreOptions"/> (learning rate, optimiser, ...).
    /// </summary>
    public StalenessSimulation(IReadOnlyList<SpeedModel> speeds, ConsistencyPolicy policy, long seed = 0, IGradientSource? gradients = null,
        CoreOptions? coreOptions = null)
    {
        if (speeds.Count == 0)
        {
            throw new ArgumentException("the simulation needs at least one learner");
        }

        _speeds = speeds;
        _policy = policy;
        _seed = seed;
        _gradients = gradients;
        _coreOptions = coreOptions;
    }

    /// <summary>Called after every applied gradient, with the core (for evaluation in the hybrid mode).</summary>
    public Action<AppliedGradient, float, ParameterServerCore>? OnApplied { get; init; }

    /// <summary>The core's instruments (mode="sim"): the same metrics as the gRPC server's, for the same dashboard.</summary>
    public PsInstruments? Instruments { get; init; }

    /// <summary>Constant step times in ticks, the unit of the time given to <see cref="Run"/> (whatever its scale).</summary>
    public StalenessSimulation(IReadOnlyList<long> stepTicks, ConsistencyPolicy policy)
        : this(stepTicks.Select(t => t > 0 ? (SpeedModel)new ConstantSpeed(t) : throw new ArgumentException("every learner needs a step time > 0")).ToList(), policy)
    {
        _stepTicks = stepTicks;
    }

    /// <summary>Runs until virtual time <paramref name="untilTicks"/> (events at that instant included); returns the gradients in the order applied.</summary>
    public List<AppliedGradient> Run(long untilTicks, TimeScale scale)
    {
        var applied = new List<AppliedGradient>();
        Run(untilTicks, scale, applied.Add);
        return applied;
    }

    /// <summary>Runs and hands each applied gradient to <paramref name="sink"/> as it happens, so that memory does not grow with the run's length.</summary>
    public void Run(long untilTicks, TimeScale scale, Action<AppliedGradient> sink)
    {
        var clock = new VirtualClock(scale);
        // Learners never time out on the virtual clock.
        var options = (_coreOptions ?? new CoreOptions { Shards = 1, LearningRate = 1 }) with { Policy = _policy, HeartbeatTimeout = TimeSpan.FromDays(365 * 1000) };
        var layout = _gradients?.Layout ?? new ParameterLayout([]);
        using var core = new ParameterServerCore(layout, _gradients?.InitialWeights ?? [], options, clock, Instruments);
        Instruments?.Observe(core);
        var n = _speeds.Count;
        // Constant speeds (the common case) in whole ticks once, so the hot path does no decimal arithmetic.
        var constantTicks = _stepTicks?.ToArray() ?? _speeds.Select(s => s is ConstantSpeed c ? scale.ToTicks(c.Step) : 0).ToArray();
        var learners = new SimulatedLearner[n];
        var randoms = Enumerable.Range(0, n).Select(i => new SeededRandom(_seed * 1_000_003 + i)).ToArray();
        var pending = new Task<PushResult>?[n];
        var held = new SortedSet<int>();
        var waiting = new SortedSet<int>(); // learners whose push sits in an open BSP round
        // The event wheel spans the longest constant step (up to 65,536 ticks), so that those learners never wait in its overflow heap.
        var events = new EventQueue(Groups(constantTicks), window: Math.Min(constantTicks.Max() + 1, 1 << 16));
        var current = -1; // the learner whose completion is being handled; its event is still the queue's minimum
        for (var i = 0; i < n; i++)
        {
            ref var l = ref learners[i];
            (l.StepTicks, l.Last) = (constantTicks[i], _speeds[i].Gradients ?? long.MaxValue);
            (l.Snapshot, l.Gradient) = (NewVector(layout), NewVector(layout));
            core.Register($"L{i + 1}");
            l.Read = core.Pull((uint)(i + 1), l.Snapshot);
            if (_speeds[i].Gradients is not 0)
            {
                events.Push(StepTicks(i, 1), i);
            }
        }

        while (events.Count > 0 && events.Min.Ticks <= untilTicks)
        {
            (var now, current) = events.Min;
            var learner = current;
            clock.AdvanceTo(now);
            ref var l = ref learners[learner];
            l.Index++;
            if (_gradients is not null)
            {
                // The gradient of the weights this learner read; computed once, even if the policy holds the push back.
                l.Loss = _gradients.Compute(learner, l.Index, l.Snapshot, l.Gradient);
            }

            Offer(learner);
            if (current >= 0)
            {
                // Not applied at once (held, or in an open round): its next completion is scheduled when it is.
                events.RemoveMin();
                current = -1;
            }

            // A push may have released others: held SSP pushes and the learners of a completed BSP round go on now, in learner order.
            // Only learners that are actually waiting are looked at, so an event costs the same with 10 or 10,000 learners.
            bool progressed;
            do
            {
                progressed = false;
                if (held.Count > 0)
                {
                    foreach (var other in held.ToList())
                    {
                        progressed |= Offer(other);
                    }
                }

                if (waiting.Count > 0)
                {
                    foreach (var other in waiting.Where(w => pending[w]!.IsCompleted).ToList())
                    {
                        var done = pending[other]!;
                        pending[other] = null;
                        waiting.Remove(other);
                        Applied(other, done.Result);
                        progressed = true;
                    }
                }
            }
            while (progressed);
        }

        bool Offer(int learner)
        {
            ref var l = ref learners[learner];
            var outcome = core.TryPush(new PushInput((uint)(learner + 1), (ulong)l.Index, l.Read, l.Gradient, l.Loss));
            if (outcome.Result is { } result)
            {
                if (held.Count > 0)
                {
                    held.Remove(learner);
                }

                Applied(learner, result);
                return true;
            }

            if (outcome.Pending is { } round)
            {
                held.Remove(learner);
                pending[learner] = round;
                waiting.Add(learner);
                return false;
            }

            held.Add(learner);
            return false;
        }

        void Applied(int learner, PushResult result)
        {
            ref var l = ref learners[learner];
            var gradient = new AppliedGradient(learner + 1, l.Index, clock.Ticks, l.Read, result.Staleness);
            sink(gradient);
            OnApplied?.Invoke(gradient, l.Loss, core);
            // It reads the new weights at once; in staleness-only mode there are none to copy, and what it reads is the
            // version its own push produced (nothing else happens in between on the virtual clock).
            l.Read = layout.TotalLength > 0 ? core.Pull((uint)(learner + 1), l.Snapshot) : result.Version;
            var finished = l.Index >= l.Last; // a replayed trace ends
            if (learner == current)
            {
                // Its own completion is still the minimum: take it out and schedule the next one.
                if (finished)
                {
                    events.RemoveMin();
                }
                else
                {
                    events.ReplaceMin(clock.Ticks + StepTicks(learner, l.Index + 1), learner);
                }

                current = -1;
            }
            else if (!finished)
            {
                events.Push(clock.Ticks + StepTicks(learner, l.Index + 1), learner);
            }
        }

        // Learners of one constant step time are always rescheduled in time order, so they can share a FIFO in the event
        // queue; a learner of any other speed model is a group of its own.
        static int[] Groups(long[] constantTicks)
        {
            var byStep = new Dictionary<long, int>();
            var next = 0;
            return constantTicks.Select(t => t > 0 ? (byStep.TryGetValue(t, out var g) ? g : byStep[t] = next++) : next++).ToArray();
        }

        // Staleness-only mode: one shared empty vector rather than an object per learner for the hot loop to visit.
        static float[] NewVector(ParameterLayout layout) => layout.TotalLength > 0 ? new float[layout.TotalLength] : [];

        // Integer ticks: a constant learner's j-th completion lands exactly on j·T, however long the run.
        long StepTicks(int learner, long gradient)
        {
            if (learners[learner].StepTicks is > 0 and var ticks)
            {
                return ticks;
            }

            var drawn = scale.ToTicks(_speeds[learner].StepTime(gradient, scale.ToTime(clock.Ticks), randoms[learner]));
            return drawn > 0 ? drawn : throw new ArgumentException($"learner {learner + 1}'s step time is below the time resolution of {scale.Format(1)}");
        }
    }

    /// <summary>What the engine keeps of one learner, side by side so that an event touches one place in memory.</summary>
    private struct SimulatedLearner
    {
        public long StepTicks; // a constant step time in ticks, or 0 when it is drawn per step
        public long Last; // the index of its last gradient (a replayed trace ends), or long.MaxValue
        public ulong Read; // the version it read
        public int Index; // gradients completed
        public float Loss;
        public float[] Snapshot; // the weights it read (hybrid mode)
        public float[] Gradient;
    }
}
