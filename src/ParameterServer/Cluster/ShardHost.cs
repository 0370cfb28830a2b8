using System.Collections.Concurrent;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Durability;
using PsTraining.ParameterServer.Hosting;
using PsTraining.ParameterServer.Routing;
using PsTraining.Protocol.Routing;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// The shard cores of this silo: a shard grain that activates here loads its core (from the shard's newest checkpoint,
/// or the initial weights) and keeps it checkpointed; one that deactivates checkpoints it a last time and lets it go.
/// Calls reach the cores through <see cref="ServedShards"/>.
/// </summary>
public sealed class ShardHost(ShardModel model, ServedShards served, PsInstruments? instruments) : IAsyncDisposable
{
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, Durable> _durable = new();

    public ShardModel Model => model;

    /// <summary>True with localhost clustering: this silo is the whole cluster, so no shard is ever handed to another.</summary>
    public bool SoleSilo { get; init; }

    /// <summary>Called once the gRPC endpoint is bound: the address the shards loaded here are served at.</summary>
    public void SetAddress(string address) => _address.TrySetResult(address);

    public Task<string> AddressAsync(CancellationToken cancellation) => _address.Task.WaitAsync(cancellation);

    /// <summary>Loads <paramref name="shard"/> here under <paramref name="generation"/>; <paramref name="why"/>: its first placement, or where it was before.</summary>
    public void Load(int shard, ulong generation, ShardLoad why)
    {
        var range = model.Range(shard);
        var what = $"shard {shard} (generation {generation})";
        var fresh = new ParameterServerCore(range.Layout, model.InitialWeights.AsSpan(range.Start, range.Length), model.Core, instruments: instruments);
        var store = model.Checkpoints(shard);
        var core = store is null ? fresh : CheckpointResume.Resume(store, model.Model, what, fresh, model.Core, instruments, Console.WriteLine);
        // Before the first call can come: it takes the version it starts from as checkpointed.
        var checkpointer = store is null ? null : new Checkpointer(core, store, model.Model, model.CheckpointInterval);
        try
        {
            served.Add(new ServedShard(core, new ShardKey(shard, generation)));
        }
        catch
        {
            core.Dispose();
            throw;
        }

        if (checkpointer is not null)
        {
            var stop = new CancellationTokenSource();
            // On the thread pool, not the grain's scheduler: a deactivating grain waits for it to stop.
            _durable[shard] = new Durable(checkpointer, stop, Task.Run(() => checkpointer.RunAsync(stop.Token)));
        }

        instruments?.ShardLoaded(why.ToString().ToLowerInvariant(), fromCheckpoint: !ReferenceEquals(core, fresh));
        Console.WriteLine($"serving {what}: {range}, version {core.Version}");
    }

    /// <summary>Stops serving <paramref name="shard"/>: a last checkpoint, then the core goes.</summary>
    public async Task ReleaseAsync(int shard, ulong generation, string why)
    {
        if (served.Remove(new ShardKey(shard, generation)) is not { } released)
        {
            return;
        }

        // Calls already inside finish first (a push acknowledged after the last checkpoint would be lost with the core).
        var drained = await released.DrainAsync(TimeSpan.FromSeconds(10));
        var saved = _durable.TryRemove(shard, out var durable) ? await durable.StopAsync() : null;
        Console.WriteLine($"released shard {shard} (generation {generation}) at version {released.Core.Version}: {why}" + (saved is null ? "" : $"; final checkpoint {saved}") +
                          (drained ? "" : "; calls still inside after 10 s were cut off"));
        released.Core.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var shard in served.All)
        {
            await ReleaseAsync(shard.Key.Shard, shard.Key.Generation, "the server is stopping");
        }
    }

    /// <summary>A shard's checkpointing, running until the shard is released.</summary>
    private sealed record Durable(Checkpointer Checkpointer, CancellationTokenSource StopToken, Task Running)
    {
        public async Task<string?> StopAsync()
        {
            await StopToken.CancelAsync();
            await Running;
            StopToken.Dispose();
            return Checkpointer.Save();
        }
    }
}
