using PsTraining.Sim.Commands;
using System.Text.Json;
using PsTraining.Models.Speed;

namespace PsTraining.Sim.Tests.Simulation;

/// <summary>Speed models through the staleness command: stragglers, slow periods, seeded random speeds, relative speeds.</summary>
public sealed class SpeedModelTests
{
    [Fact]
    public void A_straggler_pauses_on_every_nth_gradient()
    {
        var output = StalenessCommand.Run("1,1", "9", "jsonl", "asp", stragglers: ["2:2:1.5"]);
        var times = Lines(output).Where(e => e.GetProperty("learner").GetInt32() == 2).Select(e => e.GetProperty("time").GetDecimal()).ToList();
        // Steps of 1, with 1.5 more on the 2nd, 4th, ...: 1, 3.5, 4.5, 7, 8.
        Assert.Equal([1m, 3.5m, 4.5m, 7m, 8m], times);
    }

    [Fact]
    public void A_slow_period_stretches_the_gradients_that_start_inside_it()
    {
        var output = StalenessCommand.Run("1,1", "8", "jsonl", "asp", slowPeriods: ["2:2:5:3"]);
        var times = Lines(output).Where(e => e.GetProperty("learner").GetInt32() == 2).Select(e => e.GetProperty("time").GetDecimal()).ToList();
        // Learner 2 starts its 2nd gradient at t = 2, inside [2, 5): it takes 3; the next starts at 5, outside again.
        Assert.Equal([1m, 2m, 5m, 6m, 7m, 8m], times);
        Assert.Contains("--slow", Assert.Throws<ArgumentException>(() => SpeedModels.Build([1m], null, [], ["1:5:2:3"])).Message);
    }

    [Fact]
    public void Random_speeds_are_reproducible_from_the_seed()
    {
        var a = StalenessCommand.Run("1,2,3", "200", "jsonl", "ssp:3", "lognormal:0.5", seed: 7);
        Assert.Equal(a, StalenessCommand.Run("1,2,3", "200", "jsonl", "ssp:3", "lognormal:0.5", seed: 7));
        Assert.NotEqual(a, StalenessCommand.Run("1,2,3", "200", "jsonl", "ssp:3", "lognormal:0.5", seed: 8));
        Assert.Contains("\"time\":", a);
    }

    [Fact]
    public void Relative_speeds_of_2_5_and_1_give_the_textbook_staleness_on_a_scaled_clock()
    {
        Assert.Equal("0.4,1", StalenessCommand.StepTimes(null, "2.5,1"));
        var byTime = Lines(StalenessCommand.Run(StalenessCommand.StepTimes(null, "2.5,1"), "2", "jsonl", "asp")).Select(e => e.GetProperty("staleness").GetUInt64());
        var byStep = Lines(StalenessCommand.Run("1,2.5", "5", "jsonl", "asp")).Select(e => e.GetProperty("staleness").GetUInt64());
        Assert.Equal(byStep, byTime);
        Assert.Contains("no exact decimal step time", Assert.Throws<ArgumentException>(() => StalenessCommand.StepTimes(null, "3,1")).Message);
        Assert.Contains("either --step-times or --speeds", Assert.Throws<ArgumentException>(() => StalenessCommand.StepTimes("1", "1")).Message);
    }

    private static List<JsonElement> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("learner", out _)).ToList();
}
