using PsTraining.TestSupport;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Core.Tests;

public sealed class ConcurrencyTests
{
    /// <summary>
    /// 32 learners push concurrently (with retries mixed in) into a 4-shard core. With SGD at lr = 1 and
    /// integer-valued gradients every sum is exact in float32, so the weights must move by exactly the sum
    /// of the applied gradients, and the version must equal the number of non-duplicate pushes.
    /// </summary>
    [Fact]
    public async Task Thirty_two_concurrent_learners_move_the_weights_by_exactly_the_sum_of_their_gradients()
    {
        var layout = new ParameterLayout([("w", [1000]), ("b", [37])]);
        using var core = new ParameterServerCore(layout, new float[layout.TotalLength], new CoreOptions { Shards = 4, LearningRate = 1 });
        const int learners = 32;
        const int pushesEach = 40;
        var expected = new double[layout.TotalLength];
        var acknowledged = 0;

        await Task.WhenAll(Enumerable.Range(0, learners).Select(k => Task.Run(async () =>
        {
            var id = core.Register($"l{k}").LearnerId;
            var snapshot = new float[layout.TotalLength];
            for (var s = 1; s <= pushesEach; s++)
            {
                var read = core.Pull(id, snapshot);
                var g = new float[layout.TotalLength];
                for (var i = 0; i < g.Length; i++)
                {
                    g[i] = ((k * 7) + (s * 3) + i) % 5 - 2;
                }

                var result = await core.PushAsync(new PushInput(id, (ulong)s, read, g));
                Assert.False(result.Duplicate);
                Interlocked.Increment(ref acknowledged);
                if (s % 10 == 0)
                {
                    Assert.True((await core.PushAsync(new PushInput(id, (ulong)s, read, g))).Duplicate);
                }

                lock (expected)
                {
                    for (var i = 0; i < g.Length; i++)
                    {
                        expected[i] -= g[i];
                    }
                }
            }
        })));

        Assert.Equal((ulong)acknowledged, core.Version);
        Assert.Equal((ulong)(learners * pushesEach), core.Stats().Applied);
        var weights = new float[layout.TotalLength];
        core.Pull(0, weights);
        for (var i = 0; i < weights.Length; i++)
        {
            Assert.Equal(expected[i], weights[i]);
        }
    }

    [Fact]
    public async Task Staleness_values_are_a_permutation_consistent_with_the_version_order()
    {
        // Every version 1..N is produced exactly once, whatever the interleaving.
        using var core = CoreFactory.Create(new CoreOptions { Shards = 5, LearningRate = 1 });
        var versions = new System.Collections.Concurrent.ConcurrentBag<ulong>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(k => Task.Run(async () =>
        {
            var id = core.Register($"l{k}").LearnerId;
            var w = new float[10];
            for (ulong s = 1; s <= 50; s++)
            {
                var read = core.Pull(id, w);
                var r = await core.PushAsync(new PushInput(id, s, read, CoreFactory.Gradient(0)));
                Assert.Equal(r.Version - 1 - read, r.Staleness);
                versions.Add(r.Version);
            }
        })));

        Assert.Equal(Enumerable.Range(1, 400).Select(v => (ulong)v), versions.Order());
    }
}
