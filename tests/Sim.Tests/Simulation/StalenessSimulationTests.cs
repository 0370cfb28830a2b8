using PsTraining.Sim.Commands;
using System.Text.Json;

namespace PsTraining.Sim.Tests.Simulation;

/// <summary>The simulator through the staleness command: the textbook case, its example, byte-identical output, and its options' errors.</summary>
public sealed class StalenessSimulationTests
{
    [Fact]
    public void Textbook_case_through_the_staleness_command()
    {
        var lines = StalenessCommand.Run("1,2.5", "5", "jsonl", "asp").Split('\n', StringSplitOptions.RemoveEmptyEntries)
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
        var text = StalenessCommand.Example();
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
        var first = StalenessCommand.Run("0.1,0.3,0.7", "50", "jsonl", "ssp:1");
        Assert.Equal(first, StalenessCommand.Run("0.1,0.3,0.7", "50", "jsonl", "ssp:1"));
        Assert.Contains("\"time\":0.3,", first); // 3 × 0.1 and 1 × 0.3 tie exactly: decimal ticks, not floating sums
    }

    [Fact]
    public void Bad_arguments_name_the_option()
    {
        Assert.Contains("--step-times", Assert.Throws<ArgumentException>(() => StalenessCommand.Run("1,zero", "5", "jsonl", "asp")).Message);
        Assert.Contains("--format", Assert.Throws<ArgumentException>(() => StalenessCommand.Run("1", "5", "xml", "asp")).Message);
        Assert.Contains("expected asp, ssp:S", Assert.Throws<ArgumentException>(() => StalenessCommand.Run("1", "5", "jsonl", "ssp:x")).Message);
    }
}
