using PsTraining.ParameterServer.Core;
using PsTraining.Protocol.Routing;

namespace PsTraining.ParameterServer.Routing;

/// <summary>
/// One shard's core, served here under its route's generation, with a count of the calls inside it: a shard that is
/// handed over stops taking calls, then waits for those inside to finish before its last checkpoint, so that nothing
/// acknowledged is missing from it.
/// </summary>
public sealed class ServedShard(ParameterServerCore core, ShardKey key)
{
    private int _calls;

    public ParameterServerCore Core { get; } = core;

    public ShardKey Key { get; } = key;

    internal void Enter() => Interlocked.Increment(ref _calls);

    internal void Exit() => Interlocked.Decrement(ref _calls);

    /// <summary>Waits until no call is inside (at most <paramref name="timeout"/>); false when some still were.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _calls) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }
}
