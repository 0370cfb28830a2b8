using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Simulation.Tests;

/// <summary>The random speed models' distributions, the SSP bound under random speeds, and bad speed options.</summary>
public sealed class SpeedModelTests
{
    [Fact]
    public void Exponential_step_times_have_the_requested_mean()
    {
        var random = new SeededRandom(5);
        var model = new ExponentialSpeed(2.5m);
        var mean = Enumerable.Range(1, 200_000).Average(i => (double)model.StepTime(i, 0, random));
        Assert.InRange(mean, 2.5 * 0.99, 2.5 * 1.01);
    }

    [Fact]
    public void Lognormal_step_times_have_the_requested_median()
    {
        var random = new SeededRandom(6);
        var model = new LognormalSpeed(1.5m, 0.4);
        var draws = Enumerable.Range(1, 100_001).Select(i => (double)model.StepTime(i, 0, random)).Order().ToList();
        Assert.InRange(draws[draws.Count / 2], 1.5 * 0.99, 1.5 * 1.01);
    }

    [Fact]
    public void Random_speeds_keep_the_ssp_bound()
    {
        var speeds = SpeedModels.Build([1m, 1m, 4m], "exponential", []);
        var applied = new StalenessSimulation(speeds, ConsistencyPolicy.Ssp(1), seed: 3).Run(TimeScale.For([1m], randomDraws: true).ToTicks(500), TimeScale.For([1m], randomDraws: true));
        var clocks = new int[3];
        foreach (var g in applied)
        {
            Assert.True(clocks[g.Learner - 1] - clocks.Min() <= 1);
            clocks[g.Learner - 1]++;
        }

        Assert.True(applied.Count > 200);
    }

    [Fact]
    public void Bad_speed_options_are_named()
    {
        Assert.Contains("--random", Assert.Throws<ArgumentException>(() => SpeedModels.Build([1m], "gamma", [])).Message);
        Assert.Contains("--straggler", Assert.Throws<ArgumentException>(() => SpeedModels.Build([1m], null, ["3:1:1"])).Message);
    }
}
