namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// The grain of one shard. Activating it bumps the shard's generation (persisted first, so that two placements never
/// share one), loads the shard's core into this silo from its newest checkpoint and records this silo's gRPC address.
/// Deactivating it checkpoints and releases the core. Kept alive while its silo lives: the learners' traffic goes to
/// the core over gRPC and never touches the grain, so idleness says nothing.
/// </summary>
[KeepAlive, ShardPlacement]
internal sealed class ShardGrain([PersistentState("shard", ShardSilo.StorageName)] IPersistentState<ShardGrainState> state, ShardHost host) : Grain, IShardGrain
{
    private ShardLocation? _location;

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var previous = state.State.Generation == 0 ? null : state.State.Address;
        state.State.Generation++;
        state.State.Address = await host.AddressAsync(cancellationToken);
        await state.WriteStateAsync(cancellationToken);
        host.Load(Shard, state.State.Generation, previous is null ? ShardLoad.First : previous == state.State.Address ? ShardLoad.Reloaded : ShardLoad.Moved);
        _location = new ShardLocation(state.State.Address, state.State.Generation);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _location is { } location ? host.ReleaseAsync(Shard, location.Generation, reason.Description) : Task.CompletedTask;

    public Task<ShardLocation> GetLocationAsync() => Task.FromResult(_location!);
}
