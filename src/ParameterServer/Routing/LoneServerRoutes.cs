using PsTraining.Protocol;
using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Routing;

/// <summary>
/// The routes of a server outside a cluster: one shard, its whole model (or its partition of it), at the address the
/// learner already called (an empty address says so: a lone server cannot know the name it is reached by).
/// </summary>
public sealed class LoneServerRoutes(string model, ParameterPartition partition) : IRouteSource
{
    public Task<RouteTable> GetRoutesAsync(CancellationToken cancellation) => Task.FromResult(new RouteTable
    {
        Model = model,
        TotalLength = (ulong)partition.Length,
        Routes = { new ShardRoute { Shard = 0, Start = 0, Length = (ulong)partition.Length, Address = "", Generation = 0 } },
    });
}
