using System.Diagnostics;
using Orleans.Storage;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// The grain of one shard. Activating it waits until the shard's last owner has let it go (if that owner is still a
/// live member: a hand-over; a dead one cannot), bumps the shard's generation and records this silo as the owner
/// (persisted first, so that two placements never share a generation), then loads the shard's core here from its
/// newest checkpoint. Deactivating it checkpoints and releases the core, then says so. Kept alive while its silo
/// lives: the learners' traffic goes to the core over gRPC and never touches the grain, so idleness says nothing.
/// </summary>
[KeepAlive, ShardPlacement]
internal sealed class ShardGrain(
    [PersistentState("shard", ShardSilo.StorageName)] IPersistentState<ShardGrainState> state,
    ShardHost host,
    ILocalSiloDetails silo,
    IClusterMembershipService membership) : Grain, IShardGrain
{
    /// <summary>How long a new owner waits for a live old owner's last checkpoint before it loads the shard anyway.</summary>
    private static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(30);

    private ShardLocation? _location;

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await WaitForHandOverAsync(cancellationToken);
        var previous = state.State.Generation == 0 ? null : state.State.Address;
        state.State.Generation++;
        state.State.Address = await host.AddressAsync(cancellationToken);
        state.State.Silo = silo.SiloAddress.ToParsableString();
        state.State.Released = false;
        await state.WriteStateAsync(cancellationToken);
        host.Load(Shard, state.State.Generation, previous is null ? ShardLoad.First : previous == state.State.Address ? ShardLoad.Reloaded : ShardLoad.Moved);
        _location = new ShardLocation(state.State.Address, state.State.Generation);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_location is not { } location)
        {
            return;
        }

        await host.ReleaseAsync(Shard, location.Generation, reason.Description);
        if (host.SoleSilo)
        {
            return; // no other silo will wait for the record, and the grain storage goes with this process
        }

        state.State.Released = true;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception e) when (e is InconsistentStateException or OperationCanceledException or TimeoutException)
        {
            // A new owner that stopped waiting has written already; the checkpoint is on disk either way.
            Console.WriteLine($"shard {Shard} (generation {location.Generation}): could not record the hand-over: {e.Message}");
        }
    }

    public Task<ShardLocation> GetLocationAsync() => Task.FromResult(_location!);

    /// <summary>
    /// While the last owner is a live member that has not let the shard go (it is deactivating it: draining its calls,
    /// writing its last checkpoint), loading the checkpoint here would miss its last pushes: wait for it.
    /// </summary>
    private async Task WaitForHandOverAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!state.State.Released && state.State.Silo is { Length: > 0 } owner && IsLive(SiloAddress.FromParsableString(owner)))
        {
            if (clock.Elapsed > HandOverTimeout)
            {
                Console.WriteLine($"shard {Shard}: its owner {owner} did not let it go within {HandOverTimeout.TotalSeconds} s; loading it anyway");
                return;
            }

            await Task.Delay(50, cancellationToken);
            await state.ReadStateAsync(cancellationToken);
        }

        if (clock.Elapsed > TimeSpan.FromMilliseconds(1))
        {
            Console.WriteLine($"shard {Shard}: waited {clock.Elapsed.TotalMilliseconds:F0} ms for its last owner to hand it over");
        }
    }

    private bool IsLive(SiloAddress owner) =>
        membership.CurrentSnapshot.GetSiloStatus(owner) is SiloStatus.Joining or SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping;
}
