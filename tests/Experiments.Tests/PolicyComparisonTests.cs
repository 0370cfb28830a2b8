using PsTraining.TestSupport;
using System.Globalization;
using PsTraining.Experiments;
using PsTraining.Simulation;

namespace PsTraining.Experiments.Tests;

/// <summary>policy-comparison in a tiny configuration: its files, figures and the staleness facts each policy must show.</summary>
public sealed class PolicyComparisonTests : IDisposable
{
    private static readonly PolicyComparison.Settings Tiny = PolicyComparison.Settings.Tiny;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-experiment-").FullName;

    [Fact]
    public void Writes_data_figures_summary_and_index_with_each_policys_staleness()
    {
        var dir = ExperimentRunner.Run(new PolicyComparison(Tiny), _out, seed: 1);

        var results = ReadCsv(Path.Combine(dir, "results.csv"));
        Assert.Equal(PolicyComparison.Variants.Select(v => v.Label), results.Select(r => r["policy"]));
        var byPolicy = results.ToDictionary(r => r["policy"]);
        // Until 16: the seven fast learners finish 16 gradients each and the slow one 4; a BSP round averages one of each.
        Assert.Equal("116", byPolicy["asp"]["gradients"]);
        Assert.Equal(byPolicy["bsp"]["updates"], (int.Parse(byPolicy["bsp"]["gradients"], CultureInfo.InvariantCulture) / 8).ToString(CultureInfo.InvariantCulture));

        // Staleness depends on timing alone: plain ASP, the staleness-aware rate and DC-ASGD see the same distribution.
        var staleness = ReadCsv(Path.Combine(dir, "staleness.csv"));
        string Histogram(string policy) => string.Join(';', staleness.Where(r => r["policy"] == policy).Select(r => $"{r["learners"]}/{r["staleness"]}/{r["count"]}"));
        Assert.Equal(Histogram("asp"), Histogram("asp+staleness-lr"));
        Assert.Equal(Histogram("asp"), Histogram("asp+dc-asgd"));
        Assert.All(staleness.Where(r => r["policy"] == "bsp"), r => Assert.Equal("0", r["staleness"]));
        // SSP keeps the slow learner's gradients fresher than ASP does.
        double SlowMean(string policy) => double.Parse(byPolicy[policy]["slow_learner_mean_staleness"], CultureInfo.InvariantCulture);
        Assert.True(SlowMean("ssp:2") < SlowMean("asp"), $"ssp:2 {SlowMean("ssp:2")} against asp {SlowMean("asp")}");

        var curves = ReadCsv(Path.Combine(dir, "curves.csv"));
        Assert.All(PolicyComparison.Variants, v => Assert.Contains(curves, r => r["policy"] == v.Label && r["virtual_time"] == "0"));

        var accuracy = File.ReadAllText(Path.Combine(dir, "accuracy-vs-time.svg"));
        Assert.StartsWith("<svg", accuracy);
        foreach (var text in new[] { "virtual time", "test accuracy", "asp+dc-asgd", "ssp:8", "bsp" })
        {
            Assert.Contains(text, accuracy);
        }

        Assert.Contains("model updates", File.ReadAllText(Path.Combine(dir, "accuracy-vs-updates.svg")));
        Assert.Contains("staleness (updates between read and apply)", File.ReadAllText(Path.Combine(dir, "staleness.svg")));
        Assert.Contains("| asp+staleness-lr |", File.ReadAllText(Path.Combine(dir, "summary.md")));
        var index = File.ReadAllText(Path.Combine(_out, "index.html"));
        Assert.Contains("policy-comparison/accuracy-vs-time.svg", index);
        Assert.Contains("policy-comparison/summary.md", index);
    }

    [Fact]
    public void Experiment_list_and_an_unknown_name_through_the_command_line()
    {
        var (code, output, _) = SimProcess.Run(TimeSpan.FromMinutes(1), "experiment", "list");
        Assert.Equal(0, code);
        Assert.Contains("policy-comparison", output);

        (code, _, var error) = SimProcess.Run(TimeSpan.FromMinutes(1), "experiment", "run", "no-such-experiment", "--out", _out);
        Assert.Equal(2, code);
        Assert.Contains("unknown experiment 'no-such-experiment': expected one of policy-comparison", error);
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
