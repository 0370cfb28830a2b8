using System.Collections.Concurrent;
using Grpc.Core;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol.Routing;

namespace PsTraining.ParameterServer.Routing;

/// <summary>
/// The shard cores this process serves, and the one place a call finds its core. A lone server serves one core as
/// shard 0 and takes calls that name no shard. A cluster member serves the shards whose grains activated here; a call
/// for any other shard, or for another generation of one of them, is refused as not the owner, so the learner reads
/// the routes again.
/// </summary>
public sealed class ServedShards
{
    private readonly ConcurrentDictionary<int, ServedShard> _shards = new();

    private ServedShards(bool clustered) => Clustered = clustered;

    /// <summary>True for a cluster member: every call must name its shard.</summary>
    public bool Clustered { get; }

    public static ServedShards Lone(ParameterServerCore core)
    {
        var shards = new ServedShards(clustered: false);
        shards.Add(new ServedShard(core, new ShardKey(0, 0)));
        return shards;
    }

    public static ServedShards ForCluster() => new(clustered: true);

    public IReadOnlyCollection<ServedShard> All => [.. _shards.Values.OrderBy(s => s.Key.Shard)];

    public void Add(ServedShard shard)
    {
        if (!_shards.TryAdd(shard.Key.Shard, shard))
        {
            throw new InvalidOperationException($"shard {shard.Key.Shard} is served here already");
        }
    }

    /// <summary>Stops serving <paramref name="key"/>; null when that generation of the shard is not served here.</summary>
    public ServedShard? Remove(ShardKey key) =>
        _shards.TryGetValue(key.Shard, out var found) && found.Key == key && _shards.TryRemove(KeyValuePair.Create(key.Shard, found)) ? found : null;

    /// <summary>
    /// The shard a call is for, held until the lease is disposed: a shard being handed over waits for the calls inside
    /// it. A call that arrives once it was removed is refused as not the owner.
    /// </summary>
    public ShardLease Acquire(ServerCallContext context)
    {
        var shard = Resolve(context);
        shard.Enter();
        if (!_shards.TryGetValue(shard.Key.Shard, out var still) || still != shard)
        {
            shard.Exit();
            throw NotOwner($"{shard.Key} is being handed over; read the routes again");
        }

        return new ShardLease(shard);
    }

    /// <summary>The core a call is for (from its <see cref="ShardKey"/> metadata), or the not-the-owner refusal; for calls that only read.</summary>
    public ServedShard Resolve(ServerCallContext context)
    {
        var key = ShardKey.From(context.RequestHeaders);
        if (key is null)
        {
            return !Clustered && _shards.TryGetValue(0, out var only)
                ? only
                : throw NotOwner("this server is part of a cluster: read the routes (GetRoutes) and name the shard in the call's metadata");
        }

        if (_shards.TryGetValue(key.Value.Shard, out var served))
        {
            return served.Key.Generation == key.Value.Generation
                ? served
                : throw NotOwner($"{key} is not served here: this server holds generation {served.Key.Generation}; read the routes again");
        }

        throw NotOwner($"{key} is not served here; read the routes again");
    }

    private static RpcException NotOwner(string message) =>
        new(new Status(StatusCode.FailedPrecondition, message), new Metadata { { ShardKey.ReasonTrailer, ShardKey.NotOwner } });
}
