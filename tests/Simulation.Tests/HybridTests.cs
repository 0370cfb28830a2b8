using PsTraining.Models.Learning;
using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Simulation.Tests;

/// <summary>The hybrid mode: real LeNet-5 gradients on Fashion-MNIST, simulated learners on a virtual clock, the real core.</summary>
public sealed class HybridTests
{
    private static readonly ImageDataset Train = FashionMnist.Load("train").Take(12000).Padded(2);
    private static readonly ImageDataset Test = FashionMnist.Load("test").Take(1000).Padded(2);

    [Fact]
    public void Real_gradients_learn_and_keep_the_staleness_of_the_timing_alone()
    {
        decimal[] steps = [1m, 1m, 1m, 2.5m];
        var speeds = steps.Select(t => (SpeedModel)new ConstantSpeed(t)).ToList();
        var scale = TimeScale.For([.. steps, 150m]);
        var options = new CoreOptions { Shards = 1, LearningRate = 0.05f };
        var (applied, curve) = HybridRun.Run(speeds, options, scale, 150m, batchSize: 32, evalEvery: 50, Train, Test);

        // Staleness depends on timing only: the same as the staleness-only engine for these speeds.
        var timingOnly = new StalenessSimulation(speeds, ConsistencyPolicy.Asp).Run(scale.ToTicks(150m), scale);
        Assert.Equal(timingOnly.Select(g => (g.Learner, g.Index, g.Staleness)), applied.Select(g => (g.Learner, g.Index, g.Staleness)));

        Assert.Equal(0UL, curve[0].Version);
        Assert.InRange(curve[0].TestAccuracy, 0, 0.3);
        var at500 = curve.Single(p => p.Version == 500);
        Assert.True(at500.TestAccuracy > 0.6, $"accuracy after 500 updates: {at500.TestAccuracy}");
        Assert.True(curve[^1].TestLoss < curve[0].TestLoss);
        // Every 50 updates, and once more at the end.
        Assert.Equal(Enumerable.Range(0, curve.Count - 1).Select(i => (ulong)(i * 50)), curve.SkipLast(1).Select(p => p.Version));
        Assert.Equal((ulong)applied.Count, curve[^1].Version);
    }

    [Fact]
    public void Models_with_batch_norm_buffers_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ShardGradients("small-inception", 2, 8, 1, Train));
        Assert.Contains("buffers", e.Message);
    }
}
