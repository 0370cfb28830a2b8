using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Durability;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>
/// Keeps a running server durable: a checkpoint every interval when the version moved, the version's high-water
/// mark every second, and a final checkpoint on a clean stop.
/// </summary>
public sealed class Checkpointer(ParameterServerCore core, ICheckpointStore store, string model, TimeSpan interval)
{
    private ulong _checkpointed = core.Version;
    private ulong _highWater = core.Version;

    public async Task RunAsync(CancellationToken stop)
    {
        var lastCheckpoint = DateTimeOffset.UtcNow;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
                var version = core.Version;
                if (version != _highWater)
                {
                    store.WriteHighWater(version);
                    _highWater = version;
                }

                if (DateTimeOffset.UtcNow - lastCheckpoint >= interval)
                {
                    lastCheckpoint = DateTimeOffset.UtcNow;
                    Save();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Writes a checkpoint if the version moved since the last one; returns its path, or null.</summary>
    public string? Save()
    {
        if (core.Version == _checkpointed)
        {
            return null;
        }

        var state = core.Export();
        var path = store.Save(state, model, core.Layout);
        _checkpointed = state.Version;
        _highWater = Math.Max(_highWater, state.Version);
        return path;
    }
}
