using Grpc.Core;
using PsTraining.Protocol;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Routing;
using PsTraining.Protocol.V1;

namespace PsTraining.Learner;

/// <summary>
/// Where a cluster's shards are, as a learner learns it: the route table, read from the one address it was given or,
/// when that server is gone, from any server the last table named. A server of one shard at the address it was given
/// (or one that has no GetRoutes) gives no table: the learner then talks to that address, naming no shard, as before clusters.
/// </summary>
public sealed class RouteBook(Uri seed, ParameterServerClientOptions clientOptions, TimeSpan callTimeout) : IDisposable
{
    private readonly Dictionary<Uri, ParameterServerClient> _clients = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RouteTable? _table;
    private long _reads;

    /// <summary>
    /// Reads the table from the seed, or the servers the last table named; null when the seed serves the whole model as one shard. Shards
    /// that fail together read once: a caller that waited while another read gets that table.
    /// </summary>
    public async Task<RouteTable?> ReadAsync(CancellationToken cancellation)
    {
        var seen = Interlocked.Read(ref _reads);
        await _gate.WaitAsync(cancellation);
        try
        {
            return _table is not null && Interlocked.Read(ref _reads) != seen ? _table : await ReadNowAsync(cancellation);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RouteTable?> ReadNowAsync(CancellationToken cancellation)
    {
        RpcException? last = null;
        foreach (var address in Candidates())
        {
            try
            {
                var table = await Client(address).GetRoutesAsync(callTimeout, cancellation);
                if (table.Routes.Count == 1 && table.Routes[0].Address == "")
                {
                    return null;
                }

                // A one-process cluster names no address: its shards are all at the one this table came from.
                foreach (var route in table.Routes.Where(r => r.Address == ""))
                {
                    route.Address = address.ToString();
                }

                _table = table;
                Interlocked.Increment(ref _reads);
                return table;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented && address == seed)
            {
                return null; // a server from before clusters
            }
            catch (RpcException e) when (!cancellation.IsCancellationRequested)
            {
                last = e;
            }
        }

        throw last!;
    }

    /// <summary>The partitions of a cluster's model, one per shard of <paramref name="table"/>, each sent to its owner.</summary>
    public static List<ServerPartition> Partitions(RouteTable table, ParameterLayout layout, ParameterServerClientOptions clientOptions, Func<int, Backoff> backoff)
    {
        if (table.TotalLength != (ulong)layout.TotalLength)
        {
            throw new LearnerException($"the cluster serves model '{table.Model}' of {table.TotalLength} floats, not this learner's {layout.TotalLength}", 2);
        }

        return [.. table.Routes.Select(route =>
        {
            var range = ParameterPartition.Of(layout, (int)route.Shard, table.Routes.Count);
            if ((ulong)range.Start != route.Start || (ulong)range.Length != route.Length)
            {
                throw new LearnerException($"the route table's shard {route.Shard} is floats {route.Start}+{route.Length}, where this learner expects {range}", 2);
            }

            return new ServerPartition(new Uri(route.Address), range, clientOptions with { Route = Key(route) }, backoff((int)route.Shard));
        })];
    }

    public static ShardKey Key(ShardRoute route) => new((int)route.Shard, route.Generation);

    /// <summary>The seed first, then every server of the last table.</summary>
    private IEnumerable<Uri> Candidates() =>
        new[] { seed }.Concat(_table?.Routes.Select(r => new Uri(r.Address)) ?? []).Distinct().ToList();

    private ParameterServerClient Client(Uri address)
    {
        if (!_clients.TryGetValue(address, out var client))
        {
            client = new ParameterServerClient(address, clientOptions);
            _clients[address] = client;
        }

        return client;
    }

    public void Dispose()
    {
        _gate.Dispose();
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
