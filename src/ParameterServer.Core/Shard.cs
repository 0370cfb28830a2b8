namespace PsTraining.ParameterServer.Core;

/// <summary>
/// One contiguous range of the flat parameter vector. Updates enter a shard in ticket order, so a push can update
/// shard k+1 while the next push already updates shard k. The order is also what makes an update exclusive: only
/// the push whose ticket follows <see cref="Applied"/> may touch the range, so the common case (it is already that
/// push's turn) takes no lock at all; only a push that must wait for its turn sleeps on the shard's monitor.
/// </summary>
internal sealed class Shard(int start, int length)
{
    private long _applied;
    private int _sleepers;

    public int Start { get; } = start;

    public int Length { get; } = length;

    /// <summary>The last ticket (model version) applied to this range.</summary>
    public long Applied
    {
        get => Volatile.Read(ref _applied);
        set => Volatile.Write(ref _applied, value);
    }

    /// <summary>Scratch space for the optimiser and for delay compensation, used only during this shard's turn.</summary>
    public float[] Scratch { get; } = new float[length];

    public float[] CompensatedScratch { get; } = new float[length];

    /// <summary>Returns once every update before <paramref name="ticket"/> has been applied to this range.</summary>
    public void WaitTurn(long ticket)
    {
        if (Applied == ticket - 1)
        {
            return;
        }

        lock (this)
        {
            // The increment is a full fence: either EndTurn sees a sleeper, or this sees its new Applied.
            Interlocked.Increment(ref _sleepers);
            while (Applied != ticket - 1)
            {
                Monitor.Wait(this);
            }

            Interlocked.Decrement(ref _sleepers);
        }
    }

    /// <summary>Marks <paramref name="ticket"/> applied to this range and wakes the pushes waiting for their turn.</summary>
    public void EndTurn(long ticket)
    {
        Interlocked.Exchange(ref _applied, ticket); // a full fence, paired with WaitTurn's increment
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (this)
            {
                Monitor.PulseAll(this);
            }
        }
    }

    /// <summary>Splits <paramref name="total"/> floats into <paramref name="count"/> ranges whose sizes differ by at most one.</summary>
    public static Shard[] Split(int total, int count)
    {
        count = Math.Max(1, Math.Min(count, Math.Max(1, total)));
        var shards = new Shard[count];
        for (var k = 0; k < count; k++)
        {
            var start = (int)((long)total * k / count);
            var end = (int)((long)total * (k + 1) / count);
            shards[k] = new Shard(start, end - start);
        }

        return shards;
    }
}
