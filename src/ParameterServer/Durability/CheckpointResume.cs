using PsTraining.ParameterServer.Core;

namespace PsTraining.ParameterServer.Durability;

/// <summary>How a core continues from its checkpoints: a shard's, when its grain activates.</summary>
public static class CheckpointResume
{
    /// <summary>
    /// Continues from the newest checkpoint in <paramref name="store"/> that verifies, or returns <paramref name="fresh"/>
    /// when there is none. Says on <paramref name="log"/> what it skipped, where it resumed and how many updates the
    /// last stop lost by the version's high-water mark. <paramref name="what"/> names the core in the messages.
    /// </summary>
    public static ParameterServerCore Resume(ICheckpointStore store, string model, string what, ParameterServerCore fresh, CoreOptions options,
        PsInstruments? instruments, Action<string> log)
    {
        var skipped = new List<string>();
        var newest = store.LoadNewest(skipped);
        foreach (var reason in skipped)
        {
            log($"skipping checkpoint: {reason}");
        }

        if (newest is not { } found)
        {
            log($"no checkpoint in {store.Location}: {what} starts from the initial weights of model {model}");
            return fresh;
        }

        var expected = fresh.Layout.Tensors.Select(t => (t.Name, string.Join(",", t.Shape)));
        if (found.Model != model || !found.Layout.Select(t => (t.Name, string.Join(",", t.Shape))).SequenceEqual(expected))
        {
            throw new ArgumentException($"{found.Path} holds model '{found.Model}' ({string.Join(", ", found.Layout.Select(t => t.Name))}), which does not match " +
                                        $"{what} of model {model}; use another checkpoint folder (or Redis cluster id)");
        }

        var restored = ParameterServerCore.Restore(fresh.Layout, found.State, options, instruments: instruments);
        fresh.Dispose();
        var highWater = store.ReadHighWater() ?? found.State.Version;
        var lost = highWater > found.State.Version ? highWater - found.State.Version : 0;
        log($"{what} resumed from {found.Path} at version {found.State.Version}; {lost} update(s) lost (it had reached version {Math.Max(highWater, found.State.Version)})");
        return restored;
    }
}
