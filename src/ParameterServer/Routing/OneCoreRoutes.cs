using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Routing;

/// <summary>
/// The routes of one core served without a silo (<see cref="Hosting.ParameterServerHost"/> in a test or a benchmark):
/// one shard, the whole model, at the address the learner already called (an empty address says so).
/// </summary>
public sealed class OneCoreRoutes(string model, int length) : IRouteSource
{
    public Task<RouteTable> GetRoutesAsync(CancellationToken cancellation) => Task.FromResult(new RouteTable
    {
        Model = model,
        TotalLength = (ulong)length,
        Routes = { new ShardRoute { Shard = 0, Start = 0, Length = (ulong)length, Address = "", Generation = 0 } },
    });
}
