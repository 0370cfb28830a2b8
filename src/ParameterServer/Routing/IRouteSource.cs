using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Routing;

/// <summary>Answers GetRoutes: where each shard of the model is served.</summary>
public interface IRouteSource
{
    public Task<RouteTable> GetRoutesAsync(CancellationToken cancellation);
}
