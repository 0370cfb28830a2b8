using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Core;

public sealed partial class ParameterServerCore
{
    /// <summary>A consistent copy of the state for a checkpoint: pushes in flight finish first, new ones wait for the copy.</summary>
    public CoreState Export()
    {
        _snapshotLock.EnterWriteLock();
        try
        {
            lock (_gate)
            {
                var learners = _learners.OrderBy(l => l.Id)
                    .Select(l => new LearnerRecord(l.Id, l.Name, l.LastSequence, l.LastResult, l.Clock, l.Left)).ToList();
                return new CoreState(Version, (float[])_weights.Clone(), _optimizer.State.Select(s => (float[])s.Clone()).ToList(), learners);
            }
        }
        finally
        {
            _snapshotLock.ExitWriteLock();
        }
    }

    /// <summary>A core resumed from <paramref name="state"/>; restored learners count as just heard from.</summary>
    public static ParameterServerCore Restore(ParameterLayout layout, CoreState state, CoreOptions options, TimeProvider? time = null,
        PsInstruments? instruments = null)
    {
        var core = new ParameterServerCore(layout, state.Weights, options, time, instruments);
        var optimizerState = core._optimizer.State;
        if (optimizerState.Count != state.OptimizerState.Count || optimizerState.Zip(state.OptimizerState).Any(p => p.First.Length != p.Second.Length))
        {
            throw new ArgumentException(
                $"the checkpoint's optimiser state ({state.OptimizerState.Count} arrays) does not fit the {options.Optimizer.Kind} optimiser ({optimizerState.Count} arrays); use the optimiser it was written with");
        }

        for (var i = 0; i < optimizerState.Count; i++)
        {
            state.OptimizerState[i].CopyTo(optimizerState[i], 0);
        }

        var now = core._time.GetUtcNow();
        foreach (var r in state.Learners)
        {
            core._learners.Add(new LearnerState(r.Id, r.Name)
            {
                LastSequence = r.LastSequence,
                LastResult = r.LastResult,
                Clock = r.Clock,
                Left = r.Left,
                LastSeen = now,
            });
            core._nextLearnerId = Math.Max(core._nextLearnerId, r.Id + 1);
        }

        core._issued = (long)state.Version;
        core._version = (long)state.Version;
        foreach (var shard in core._shards)
        {
            shard.Applied = (long)state.Version;
        }

        return core;
    }
}
