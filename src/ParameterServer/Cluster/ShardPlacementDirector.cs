using Orleans.Runtime.Placement;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// Puts shard s on the (s mod n)-th of the n compatible silos in address order. With every server up when the shards
/// are first placed, each holds S/n of them (random placement would pile several on one); after a failure the dead
/// server's shards spread over the survivors the same way. A server that joins later takes shards only as they next
/// activate: nothing moves to it by itself.
/// </summary>
internal sealed class ShardPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).Order().ToArray();
        var shard = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(silos[(int)(shard % silos.Length)]);
    }
}
