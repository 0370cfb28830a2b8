namespace PsTraining.ParameterServer.Core;

/// <summary>
/// One contiguous range of the flat parameter vector with its own lock. Updates enter a shard in ticket
/// order, so a push can update shard k+1 while the next push already updates shard k.
/// </summary>
internal sealed class Shard(int start, int length)
{
    public int Start { get; } = start;

    public int Length { get; } = length;

    /// <summary>The last ticket (model version) applied to this range.</summary>
    public long Applied { get; set; }

    /// <summary>Scratch space for the optimiser and for delay compensation, used only under this shard's lock.</summary>
    public float[] Scratch { get; } = new float[length];

    public float[] CompensatedScratch { get; } = new float[length];

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
