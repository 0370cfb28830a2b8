namespace PsTraining.Models.Data;

/// <summary>
/// Seeded permutations that are the same on every run, machine and .NET version: Fisher–Yates driven by
/// SplitMix64 (Steele et al. 2014), independent of libtorch's generator and of System.Random's algorithm.
/// </summary>
public static class DeterministicShuffle
{
    /// <summary>A permutation of 0..n−1 for (<paramref name="seed"/>, <paramref name="epoch"/>); each epoch gets its own order.</summary>
    public static int[] Permutation(int n, long seed, int epoch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var state = unchecked((ulong)seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)));
        for (var i = n - 1; i > 0; i--)
        {
            // Lemire's multiply-shift maps 64 random bits onto 0..i with negligible bias for these sizes.
            var j = (int)(((UInt128)NextSplitMix64(ref state) * (ulong)(i + 1)) >> 64);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>
    /// Learner <paramref name="shard"/> of <paramref name="shards"/>: the positions p of <paramref name="order"/> with
    /// p mod shards = shard. Shards are disjoint, cover every sample, and differ in size by at most one.
    /// </summary>
    public static int[] Shard(int[] order, int shard, int shards)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1, nameof(shards));
        if (shard < 0 || shard >= shards)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"shard must be in 0..{shards - 1}");
        }

        var result = new int[(order.Length - shard + shards - 1) / shards];
        for (int p = shard, i = 0; p < order.Length; p += shards, i++)
        {
            result[i] = order[p];
        }

        return result;
    }

    internal static ulong NextSplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
