using System.Collections.Concurrent;
using Grpc.Core;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol.Routing;

namespace PsTraining.ParameterServer.Routing;

/// <summary>
/// The shard cores this process serves, and the one place a call finds its core. A server serves the shards whose
/// grains activated here; a call for any other shard, or for another generation of one of them, is refused as not the
/// owner, so the learner reads the routes again. When the model is one shard, a call that names none is for it, so
/// that a plain gRPC client (grpcurl, grpcio) can talk to a one-shard server without reading routes.
/// </summary>
public sealed class ServedShards
{
    private readonly ConcurrentDictionary<int, ServedShard> _shards = new();
    private volatile bool _ready;

    private ServedShards(int modelShards) => ModelShards = modelShards;

    /// <summary>How many shards the whole model is cut into (over every server of the cluster).</summary>
    public int ModelShards { get; }

    /// <summary>True once this server takes calls: its health check says SERVING from then on.</summary>
    public bool Ready => _ready;

    /// <summary>One core as the model's only shard, ready at once: a server hosted in a test or a benchmark, without a silo.</summary>
    public static ServedShards Lone(ParameterServerCore core)
    {
        var shards = new ServedShards(1);
        shards.Add(new ServedShard(core, new ShardKey(0, 0)));
        shards.MarkReady();
        return shards;
    }

    /// <summary>The shards of a silo, of a model cut into <paramref name="modelShards"/>; none until their grains activate here.</summary>
    public static ServedShards ForSilo(int modelShards) => new(modelShards);

    public void MarkReady() => _ready = true;

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
        if (!_ready)
        {
            // A one-process server takes calls once its shards are loaded; a call that comes sooner may try again.
            throw new RpcException(new Status(StatusCode.Unavailable, "the server is still loading its shards; try again"));
        }

        var key = ShardKey.From(context.RequestHeaders);
        if (key is null)
        {
            return ModelShards == 1 && _shards.TryGetValue(0, out var only)
                ? only
                : throw NotOwner(ModelShards == 1
                    ? "the model's one shard is not served here; read the routes (GetRoutes)"
                    : $"the model is cut into {ModelShards} shards: read the routes (GetRoutes) and name the shard in the call's metadata");
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
