using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Routing;

namespace PsTraining.Sim.Cluster;

/// <summary>
/// The servers' own account at the end of a run, from the route table and each shard's statistics: the updates lost
/// to crashes and failovers (Stats.lost_updates, summed over the shards) and how many shards each server holds.
/// </summary>
internal sealed record ClusterCensus(ulong LostUpdates, IReadOnlyDictionary<string, int> ShardsPerServer)
{
    /// <summary>Reads it through <paramref name="address"/>; null (and why, on the log) when it cannot be read.</summary>
    public static async Task<ClusterCensus?> ReadAsync(string? address, TextWriter log)
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

            var perServer = table.Routes.GroupBy(r => r.Address == "" ? address : r.Address).ToDictionary(g => g.Key, g => g.Count());
            return new ClusterCensus(lost, perServer);
        }
        catch (RpcException e)
        {
            log.WriteLine($"the servers' final state could not be read from {address}: {e.StatusCode}: {e.Status.Detail}");
            return null;
        }
    }
}
