using System.Text.Json;
using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Simulation.Tests;

/// <summary>Speed models: their distributions, the SSP bound under random speeds, bad speed options; and through the staleness report, stragglers, slow periods, seeded random speeds and relative speeds.</summary>
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

    [Fact]
    public void A_straggler_pauses_on_every_nth_gradient()
    {
        var output = StalenessReport.Run("1,1", "9", "jsonl", "asp", stragglers: ["2:2:1.5"]);
        var times = Lines(output).Where(e => e.GetProperty("learner").GetInt32() == 2).Select(e => e.GetProperty("time").GetDecimal()).ToList();
        // Steps of 1, with 1.5 more on the 2nd, 4th, ...: 1, 3.5, 4.5, 7, 8.
        Assert.Equal([1m, 3.5m, 4.5m, 7m, 8m], times);
    }

    [Fact]
    public void A_slow_period_stretches_the_gradients_that_start_inside_it()
    {
        var output = StalenessReport.Run("1,1", "8", "jsonl", "asp", slowPeriods: ["2:2:5:3"]);
        var times = Lines(output).Where(e => e.GetProperty("learner").GetInt32() == 2).Select(e => e.GetProperty("time").GetDecimal()).ToList();
        // Learner 2 starts its 2nd gradient at t = 2, inside [2, 5): it takes 3; the next starts at 5, outside again.
        Assert.Equal([1m, 2m, 5m, 6m, 7m, 8m], times);
        Assert.Contains("--slow", Assert.Throws<ArgumentException>(() => SpeedModels.Build([1m], null, [], ["1:5:2:3"])).Message);
    }

    [Fact]
    public void Random_speeds_are_reproducible_from_the_seed()
    {
        var a = StalenessReport.Run("1,2,3", "200", "jsonl", "ssp:3", "lognormal:0.5", seed: 7);
        Assert.Equal(a, StalenessReport.Run("1,2,3", "200", "jsonl", "ssp:3", "lognormal:0.5", seed: 7));
        Assert.NotEqual(a, StalenessReport.Run("1,2,3", "200", "jsonl", "ssp:3", "lognormal:0.5", seed: 8));
        Assert.Contains("\"time\":", a);
    }

    [Fact]
    public void Relative_speeds_of_2_5_and_1_give_the_textbook_staleness_on_a_scaled_clock()
    {
        Assert.Equal("0.4,1", StalenessReport.StepTimes(null, "2.5,1"));
        var byTime = Lines(StalenessReport.Run(StalenessReport.StepTimes(null, "2.5,1"), "2", "jsonl", "asp")).Select(e => e.GetProperty("staleness").GetUInt64());
        var byStep = Lines(StalenessReport.Run("1,2.5", "5", "jsonl", "asp")).Select(e => e.GetProperty("staleness").GetUInt64());
        Assert.Equal(byStep, byTime);
        Assert.Contains("no exact decimal step time", Assert.Throws<ArgumentException>(() => StalenessReport.StepTimes(null, "3,1")).Message);
        Assert.Contains("either --step-times or --speeds", Assert.Throws<ArgumentException>(() => StalenessReport.StepTimes("1", "1")).Message);
    }

    private static List<JsonElement> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("learner", out _)).ToList();
}
