using PsTraining.ParameterServer.Core;
using PsTraining.Protocol.Routing;

namespace PsTraining.ParameterServer.Routing;

/// <summary>A call's hold on the shard it was routed to (<see cref="ServedShards.Acquire"/>); disposing it lets the shard be handed over.</summary>
public readonly struct ShardLease(ServedShard shard) : IDisposable
{
    public ParameterServerCore Core => shard.Core;

    public ShardKey Key => shard.Key;

    public void Dispose() => shard.Exit();
}
