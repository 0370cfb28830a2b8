using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Routing;

namespace PsTraining.Sim.Cluster;

/// <summary>The updates a run lost to crashes and failovers: the servers' own count (Stats.lost_updates), summed over every shard of the route table.</summary>
internal static class LostUpdates
{
    /// <summary>The sum over the shards that <paramref name="address"/> routes to; null (and why, on the log) when it cannot be read.</summary>
    public static async Task<ulong?> ReadAsync(string? address, TextWriter log)
    {
        if (address is null)
        {
            return null;
        }

        try
        {
            using var seed = new ParameterServerClient(new Uri(address));
            var table = await seed.GetRoutesAsync(TimeSpan.FromSeconds(30));
            var lost = 0UL;
            foreach (var route in table.Routes)
            {
                // A lone server's one route has no address: the one asked.
                using var owner = route.Address == "" ? null : new ParameterServerClient(new Uri(route.Address),
                    new ParameterServerClientOptions { Route = new ShardKey((int)route.Shard, route.Generation) });
                lost += (await (owner ?? seed).GetStatsAsync(TimeSpan.FromSeconds(10))).LostUpdates;
            }

            return lost;
        }
        catch (RpcException e)
        {
            log.WriteLine($"the updates lost could not be read from {address}: {e.StatusCode}: {e.Status.Detail}");
            return null;
        }
    }
}
