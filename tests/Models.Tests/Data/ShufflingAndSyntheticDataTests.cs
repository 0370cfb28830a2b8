using PsTraining.Models.Data;

namespace PsTraining.Models.Tests.Data;

public sealed class ShufflingAndSyntheticDataTests
{
    [Fact]
    public void Permutations_are_reproducible_and_depend_on_seed_and_epoch()
    {
        var a = DeterministicShuffle.Permutation(1000, seed: 42);
        Assert.Equal(a, DeterministicShuffle.Permutation(1000, seed: 42));
        Assert.NotEqual(a, DeterministicShuffle.Permutation(1000, seed: 43));
        Assert.NotEqual(a, DeterministicShuffle.Permutation(1000, seed: 42, epoch: 1));
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), a);
    }

    [Theory]
    [InlineData(1000, 3)]
    [InlineData(10, 4)]
    [InlineData(5, 8)]
    public void Shards_are_disjoint_cover_everything_and_are_balanced(int n, int shards)
    {
        var order = DeterministicShuffle.Permutation(n, seed: 7);
        var parts = Enumerable.Range(0, shards).Select(k => DeterministicShuffle.Shard(order, k, shards)).ToList();
        Assert.Equal(Enumerable.Range(0, n), parts.SelectMany(p => p).Order());
        Assert.True(parts.Max(p => p.Length) - parts.Min(p => p.Length) <= 1);
    }

    [Fact]
    public void Shard_index_out_of_range_is_rejected_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DeterministicShuffle.Shard([1, 2, 3], 3, 3));
        Assert.Equal("shard", e.ParamName);
    }

    [Fact]
    public void Synthetic_cifar_is_reproducible_and_cifar_shaped()
    {
        var a = SyntheticCifar.Generate(50, seed: 3);
        var b = SyntheticCifar.Generate(50, seed: 3);
        Assert.Equal([3L, 32, 32], a.SampleShape);
        Assert.Equal(50, a.Count);
        Assert.True(a.Pixels(17).SequenceEqual(b.Pixels(17)));
        Assert.False(a.Pixels(17).SequenceEqual(SyntheticCifar.Generate(50, seed: 4).Pixels(17)));
        Assert.True(Enumerable.Range(0, 50).Select(a.Label).Distinct().Count() > 5);
    }

    [Fact]
    public void Regression_noise_has_variance_0_3_around_x_plus_sin()
    {
        var (x, y) = RegressionData.Generate(200_000, seed: 11);
        Assert.InRange(x.Min(), 0, 0.01);
        Assert.InRange(x.Max(), 9.99, 10);
        var residuals = x.Zip(y, (xi, yi) => yi - RegressionData.TrueFunction(xi)).ToArray();
        var mean = residuals.Average();
        var variance = residuals.Sum(r => (r - mean) * (r - mean)) / (residuals.Length - 1);
        // The standard error of a sample variance of n normals is σ²·√(2/(n−1)) ≈ 0.001 here.
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.295, 0.305);
    }
}
