using PsTraining.ParameterServer.Routing;
using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>The route table of a cluster: every shard grain's location (activating the shards not yet placed), with the shards' ranges.</summary>
public sealed class ClusterRoutes(IGrainFactory grains, ShardModel model) : IRouteSource
{
    public async Task<RouteTable> GetRoutesAsync(CancellationToken cancellation)
    {
        var locations = await Task.WhenAll(Enumerable.Range(0, model.Shards).Select(s => grains.GetGrain<IShardGrain>(s).GetLocationAsync())).WaitAsync(cancellation);
        var table = new RouteTable { Model = model.Model, TotalLength = (ulong)model.Layout.TotalLength };
        for (var s = 0; s < model.Shards; s++)
        {
            var range = model.Range(s);
            table.Routes.Add(new ShardRoute
            {
                Shard = (uint)s,
                Start = (ulong)range.Start,
                Length = (ulong)range.Length,
                Address = locations[s].Address,
                Generation = locations[s].Generation,
            });
        }

        return table;
    }
}
