using PsTraining.Protocol.Client;
using PsTraining.Protocol;
using PsTraining.Protocol.Routing;

namespace PsTraining.Learner;

/// <summary>
/// One part of the model as a learner sees it: the server that holds it (and, in a cluster, the shard and route
/// generation that every call names), the range of the model it is, the learner's session there (id, last sequence
/// sent, last acknowledged) and its own retry state. An unsharded model is one of these; a model over N lone servers
/// (<c>--ps A,B,...</c>) N, in partition order; a cluster's, one per shard of its route table. Each is pulled from and
/// pushed to on its own.
/// </summary>
public sealed class ServerPartition(Uri address, ParameterPartition range, ParameterServerClientOptions clientOptions, Backoff backoff) : IDisposable
{
    public Uri Address { get; private set; } = address;

    public ParameterPartition Range { get; } = range;

    public ParameterServerClient Client { get; private set; } = new(address, clientOptions);

    /// <summary>The cluster shard and route generation every call names; null for a lone server.</summary>
    public ShardKey? Route => Client.Route;

    public Backoff Backoff { get; } = backoff;

    /// <summary>This learner's id at this server (servers number their learners independently).</summary>
    public uint LearnerId { get; set; }

    /// <summary>The sequence number of the last push sent here; a retry sends it again.</summary>
    public ulong Sequence { get; set; }

    /// <summary>The sequence number of the last push this server acknowledged: told to a new owner, which counts what a failover lost.</summary>
    public ulong Acknowledged { get; set; }

    /// <summary>Set by a transport failure, cleared by the next applied push: refusals meanwhile may come from a restarted server.</summary>
    public bool Recovering { get; set; }

    /// <summary>The part of a flat model vector that this server holds.</summary>
    public Memory<float> Slice(float[] vector) => vector.AsMemory(Range.Start, Range.Length);

    /// <summary>Sends the calls of this shard to <paramref name="address"/> under <paramref name="route"/> from now on.</summary>
    public void Reroute(Uri address, ShardKey route)
    {
        var old = Client;
        Address = address;
        Client = new ParameterServerClient(address, clientOptions with { Route = route });
        old.Dispose();
    }

    /// <summary>"http://ps-0:50051", "http://ps-0:50051 (partition 0/2 (floats ...))" or "http://ps-1:50051 (shard 3 (generation 2), floats ...)".</summary>
    public override string ToString() => Route is { } route
        ? $"{Address} ({route}, floats {Range.Start}..{Range.Start + Range.Length - 1})"
        : Range.Count == 1 ? Address.ToString() : $"{Address} ({Range})";

    public void Dispose() => Client.Dispose();
}
