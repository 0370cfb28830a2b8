using System.Text.Json;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Simulation.Tests;

/// <summary>The staleness-only engine against an oracle, the theory of mean staleness and the policies' bounds; through the staleness report, the textbook case, its example, byte-identical output and bad options named.</summary>
public sealed class StalenessSimulationTests
{
    /// <summary>
    /// An independent oracle, written here without production code: list every completion j·T_i up to the horizon,
    /// sort by (time, learner), and replay a version counter.
    /// </summary>
    [Fact]
    public void Matches_a_brute_force_oracle_on_random_constant_speed_schedules()
    {
        var random = new Random(20261122);
        for (var trial = 0; trial < 200; trial++)
        {
            var learners = random.Next(2, 9);
            var steps = Enumerable.Range(0, learners).Select(_ => (long)random.Next(1, 12)).ToList();
            var horizon = (long)random.Next(10, 60);

            var events = new List<(long Time, int Learner)>();
            for (var i = 0; i < learners; i++)
            {
                for (var j = 1L; j * steps[i] <= horizon; j++)
                {
                    events.Add((j * steps[i], i));
                }
            }

            events.Sort();
            var version = 0UL;
            var read = new ulong[learners];
            var count = new int[learners];
            var expected = new List<(int, int, ulong, ulong)>();
            foreach (var (_, i) in events)
            {
                count[i]++;
                expected.Add((i + 1, count[i], read[i], version - read[i]));
                version++;
                read[i] = version;
            }

            var actual = new StalenessSimulation(steps, ConsistencyPolicy.Asp).Run(horizon, new TimeScale(1))
                .Select(g => (g.Learner, g.Index, g.ReadVersion, g.Staleness)).ToList();
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>With rates r_i, between two of learner i's gradients the others apply Σ_{j≠i} r_j / r_i on average.</summary>
    [Fact]
    public void Mean_staleness_tends_to_the_sum_of_the_other_rates_over_its_own()
    {
        decimal[] stepTimes = [1m, 1.5m, 3.7m];
        var scale = TimeScale.For(stepTimes);
        var applied = new StalenessSimulation(stepTimes.Select(scale.ToTicks).ToList(), ConsistencyPolicy.Asp).Run(scale.ToTicks(20000), scale);
        var rates = stepTimes.Select(t => 1 / (double)t).ToArray();
        foreach (var s in StalenessSummary.Of(applied, 3))
        {
            var theory = rates.Where((_, j) => j != s.Learner - 1).Sum() / rates[s.Learner - 1];
            Assert.True(Math.Abs(s.Mean - theory) <= 0.01 * theory, $"learner {s.Learner}: mean staleness {s.Mean}, theory {theory}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Ssp_never_lets_a_learner_start_more_than_s_clocks_ahead(int bound)
    {
        var applied = new StalenessSimulation([1, 3, 7], ConsistencyPolicy.Ssp(bound)).Run(300, new TimeScale(1));
        var clocks = new int[3];
        foreach (var g in applied)
        {
            // The push was admitted at clock c = (gradients applied before it): c − slowest ≤ s.
            Assert.True(clocks[g.Learner - 1] - clocks.Min() <= bound, $"learner {g.Learner} pushed at clock {clocks[g.Learner - 1]} with the slowest at {clocks.Min()}");
            clocks[g.Learner - 1]++;
        }

        Assert.True(clocks.Min() > 20);
    }

    [Fact]
    public void Bsp_staleness_is_always_zero()
    {
        var applied = new StalenessSimulation([1, 2, 5], ConsistencyPolicy.Bsp).Run(200, new TimeScale(1));
        Assert.True(applied.Count > 100);
        Assert.All(applied, g => Assert.Equal(0UL, g.Staleness));
        Assert.Equal(applied.Count(g => g.Learner == 1), applied.Count(g => g.Learner == 3));
    }

    [Fact]
    public void Textbook_case_through_the_staleness_command()
    {
        var lines = StalenessReport.Run("1,2.5", "5", "jsonl", "asp").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.TryGetProperty("learner", out _)).ToList();
        ulong Staleness(int learner, int index) =>
            lines.Single(e => e.GetProperty("learner").GetInt32() == learner && e.GetProperty("index").GetInt32() == index).GetProperty("staleness").GetUInt64();

        Assert.Equal([0UL, 0, 1, 0], Enumerable.Range(1, 4).Select(i => Staleness(1, i)));
        Assert.Equal([2UL, 3], Enumerable.Range(1, 2).Select(i => Staleness(2, i)));
        Assert.Equal(2.5, lines.Single(e => e.GetProperty("learner").GetInt32() == 2 && e.GetProperty("index").GetInt32() == 1).GetProperty("time").GetDouble());
    }

    [Fact]
    public void Textbook_case_through_example_2_5x_with_the_tie_rule_explained()
    {
        var text = StalenessReport.Example();
        foreach (var (gradient, staleness) in new[] { ("g[L1,1]", 0), ("g[L1,2]", 0), ("g[L1,3]", 1), ("g[L1,4]", 0), ("g[L2,1]", 2), ("g[L2,2]", 3) })
        {
            var row = text.Split('\n').Single(l => l.StartsWith(gradient, StringComparison.Ordinal));
            Assert.EndsWith($" {staleness}", row.TrimEnd());
        }

        Assert.Contains("ascending learner order", text);
    }

    [Fact]
    public void Same_inputs_give_byte_identical_output()
    {
        var first = StalenessReport.Run("0.1,0.3,0.7", "50", "jsonl", "ssp:1");
        Assert.Equal(first, StalenessReport.Run("0.1,0.3,0.7", "50", "jsonl", "ssp:1"));
        Assert.Contains("\"time\":0.3,", first); // 3 × 0.1 and 1 × 0.3 tie exactly: decimal ticks, not floating sums
    }

    [Fact]
    public void Bad_arguments_name_the_option()
    {
        Assert.Contains("--step-times", Assert.Throws<ArgumentException>(() => StalenessReport.Run("1,zero", "5", "jsonl", "asp")).Message);
        Assert.Contains("--format", Assert.Throws<ArgumentException>(() => StalenessReport.Run("1", "5", "xml", "asp")).Message);
        Assert.Contains("expected asp, ssp:S", Assert.Throws<ArgumentException>(() => StalenessReport.Run("1", "5", "jsonl", "ssp:x")).Message);
    }
}
