using PsTraining.ParameterServer.Core;
using static PsTraining.TestSupport.CoreFactory;

namespace PsTraining.ParameterServer.Core.Tests;

public sealed class PolicyTests
{
    /// <summary>Over random schedules (learners of random speeds), no learner's clock ever gets more than s + 1 ahead of the slowest.</summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 3)]
    public async Task Ssp_bound_is_never_violated(int bound, int seed)
    {
        using var core = Create(new CoreOptions { Shards = 2, LearningRate = 1, Policy = ConsistencyPolicy.Ssp(bound) });
        const int learners = 5;
        var ids = Enumerable.Range(0, learners).Select(k => core.Register($"l{k}").LearnerId).ToArray();
        var violations = 0;
        var maxGap = 0L;

        await Task.WhenAll(ids.Select((id, k) => Task.Run(async () =>
        {
            var random = new Random(seed * 100 + k);
            var w = new float[10];
            for (ulong s = 1; s <= 30; s++)
            {
                var read = core.Pull(id, w);
                await Task.Delay(random.Next(0, 3 + (k * 2)));
                await core.PushAsync(new PushInput(id, s, read, Gradient(0)));
                var clocks = core.Stats().Learners.Select(l => l.Clock).ToList();
                var gap = clocks.Max() - clocks.Min();
                InterlockedMax(ref maxGap, gap);
                if (gap > bound + 1)
                {
                    Interlocked.Increment(ref violations);
                }
            }
        })));

        Assert.Equal(0, violations);
        Assert.True(maxGap <= bound + 1, $"max clock gap {maxGap}");
        Assert.Equal((ulong)(learners * 30), core.Version);
    }

    [Fact]
    public async Task Ssp_holds_a_fast_learner_until_the_slow_one_pushes_or_times_out()
    {
        var time = new ManualTime();
        using var core = Create(new CoreOptions { Shards = 1, LearningRate = 1, Policy = ConsistencyPolicy.Ssp(1), HeartbeatTimeout = TimeSpan.FromSeconds(10) }, time);
        var fast = core.Register("fast").LearnerId;
        var slow = core.Register("slow").LearnerId;
        Push(core, fast, 1, 0, Gradient(0));
        Push(core, fast, 2, 1, Gradient(0));
        var held = core.TryPush(new PushInput(fast, 3, 2, Gradient(0)));
        Assert.True(held.IsBlocked);
        Assert.Contains("more than 1 ahead", held.BlockedReason);

        // The slow learner pushes: the fast one may go on.
        var waiting = core.PushAsync(new PushInput(fast, 3, 2, Gradient(0)));
        Assert.False(waiting.IsCompleted);
        Push(core, slow, 1, 0, Gradient(0));
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4UL, result.Version);

        // The slow learner goes silent: once its heartbeat expires it no longer holds the fast one back.
        var blocked = core.PushAsync(new PushInput(fast, 4, 4, Gradient(0)));
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(5UL, (await blocked.WaitAsync(TimeSpan.FromSeconds(10))).Version);
        Assert.False(core.Stats().Learners.Single(l => l.LearnerId == slow).Live);
    }

    [Fact]
    public async Task Ssp_wait_ends_with_the_deadline()
    {
        using var core = Create(new CoreOptions { Shards = 1, LearningRate = 1, Policy = ConsistencyPolicy.Ssp(0) });
        var fast = core.Register("fast").LearnerId;
        core.Register("slow");
        Push(core, fast, 1, 0, Gradient(0));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => core.PushAsync(new PushInput(fast, 2, 1, Gradient(0)), deadline.Token));
        Assert.Equal(1UL, core.Version);
    }

    [Fact]
    public async Task Bsp_applies_exactly_the_mean_of_one_gradient_per_learner()
    {
        using var core = Create(new CoreOptions { Shards = 3, LearningRate = 0.5f, Policy = ConsistencyPolicy.Bsp });
        var ids = Enumerable.Range(0, 3).Select(k => core.Register($"l{k}").LearnerId).ToArray();
        var before = Weights(core);
        var first = core.TryPush(new PushInput(ids[0], 1, 0, Gradient(1)));
        var second = core.TryPush(new PushInput(ids[1], 1, 0, Gradient(2)));
        Assert.NotNull(first.Pending);
        Assert.Equal(0UL, core.Version);
        var retried = core.TryPush(new PushInput(ids[0], 1, 0, Gradient(1)));
        Assert.Same(first.Pending, retried.Pending);

        var last = core.TryPush(new PushInput(ids[2], 1, 0, Gradient(6)));
        Assert.Equal(1UL, last.Result!.Value.Version);
        Assert.Equal(1UL, (await first.Pending!).Version);
        Assert.Equal(0UL, (await second.Pending!).Staleness);
        var after = Weights(core);
        for (var i = 0; i < after.Length; i++)
        {
            Assert.Equal(before[i] - (0.5f * 3), after[i]); // mean of 1, 2 and 6 is 3
        }
    }

    [Fact]
    public async Task Bsp_round_closes_without_a_learner_that_left()
    {
        using var core = Create(new CoreOptions { Shards = 1, LearningRate = 1, Policy = ConsistencyPolicy.Bsp });
        var a = core.Register("a").LearnerId;
        var b = core.Register("b").LearnerId;
        var pending = core.PushAsync(new PushInput(a, 1, 0, Gradient(2)));
        Assert.False(pending.IsCompleted);
        core.Leave(b);
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1UL, result.Version);
        Assert.Equal(-2f, Weights(core)[0]);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
