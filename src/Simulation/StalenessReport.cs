using System.Globalization;
using System.Text;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Simulation;

/// <summary>
/// What the simulator's staleness commands print and write (<c>staleness</c>, <c>staleness --trace</c>, <c>run</c>,
/// <c>example-2.5x</c>): the applied gradients as JSON lines or a table, then the per-learner summary. The command line
/// (src/Sim) only binds the options; the simulation and its report live here, beside the simulator they run.
/// </summary>
public static class StalenessReport
{
    /// <summary>The whole output of <c>staleness</c>: the applied gradients, then the per-learner summary.</summary>
    public static string Run(string stepTimes, string until, string format, string policy, string? random = null, IReadOnlyList<string>? stragglers = null,
        long seed = 0, IReadOnlyList<string>? slowPeriods = null, LiveMetrics? live = null)
    {
        CheckFormat(format);

        var times = stepTimes.Split(',', StringSplitOptions.TrimEntries).Select(t => TimeScale.ParseTime(t, "--step-times")).ToList();
        var horizon = TimeScale.ParseTime(until, "--until");
        var speeds = SpeedModels.Build(times, random, stragglers ?? [], slowPeriods);
        var pauses = speeds.OfType<StragglerSpeed>().Select(s => s.Pause);
        var scale = TimeScale.For([.. times, horizon, .. pauses], randomDraws: speeds.Any(s => s is not (ConstantSpeed or StragglerSpeed { Inner: ConstantSpeed })));
        var simulation = new StalenessSimulation(speeds, ConsistencyPolicy.Parse(policy), seed) { Instruments = live?.Instruments };
        var applied = new List<AppliedGradient>();
        simulation.Run(scale.ToTicks(horizon), scale, live is null ? applied.Add : live.Paced(scale, applied.Add));
        var summary = StalenessSummary.Of(applied, times.Count);
        return format == "jsonl" ? Jsonl(applied, summary, scale) : Table(applied, summary, scale);
    }

    /// <summary>
    /// <c>staleness --trace FILE</c>: the recorded run replayed on the virtual clock, its gradients and summary as for
    /// speed models, then how many gradients got the staleness the real server gave them.
    /// </summary>
    public static string Replay(string path, string format, string policy)
    {
        CheckFormat(format);

        var trace = Trace.Load(path);
        var (applied, matching) = trace.Replay(policy);
        var scale = trace.Scale;
        var summary = StalenessSummary.Of(applied, trace.Learners.Count);
        var learners = string.Join(", ", trace.Learners.Select((name, i) => $"L{i + 1} = {name}"));
        return format == "jsonl"
            ? Jsonl(applied, summary, scale) + string.Create(CultureInfo.InvariantCulture,
                $"{{\"replay\":{{\"trace\":{System.Text.Json.JsonSerializer.Serialize(path)},\"recorded\":{trace.Recorded.Count},\"replayed\":{applied.Count},\"matching\":{matching}}}}}\n")
            : Table(applied, summary, scale) + $"\nreplayed {trace} ({learners}): {matching} of {trace.Recorded.Count} gradients have the staleness the server recorded\n";
    }

    /// <summary>Step times from --step-times, or from --speeds as 1 / speed (which must come out exact, e.g. 2.5 → 0.4).</summary>
    public static string StepTimes(string? stepTimes, string? speeds)
    {
        if ((stepTimes is null) == (speeds is null))
        {
            throw new ArgumentException("give either --step-times or --speeds");
        }

        if (stepTimes is not null)
        {
            return stepTimes;
        }

        return string.Join(",", speeds!.Split(',', StringSplitOptions.TrimEntries).Select(text =>
        {
            var speed = TimeScale.ParseTime(text, "--speeds");
            var step = 1 / speed;
            return step * speed == 1 && decimal.Round(step, 9) == step
                ? step.ToString(CultureInfo.InvariantCulture)
                : throw new ArgumentException($"--speeds: 1 / {text} has no exact decimal step time; give --step-times instead");
        }));
    }

    /// <summary>Runs <paramref name="scenario"/> and writes its run directory; returns the per-learner table.</summary>
    public static string RunScenario(Scenario scenario, string directory)
    {
        var speeds = scenario.BuildSpeeds();
        var constants = scenario.Learners.SelectMany(g => new[] { g.StepTime, g.StragglerPause }).Append(scenario.Until);
        var scale = TimeScale.For(constants, randomDraws: scenario.Learners.Any(g => g.Random is not (null or "" or "constant")));
        var applied = new StalenessSimulation(speeds, ConsistencyPolicy.Parse(scenario.Policy), scenario.Seed).Run(scale.ToTicks(scenario.Until), scale);
        var summary = StalenessSummary.Of(applied, speeds.Count);

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "scenario.json"),
            System.Text.Json.JsonSerializer.Serialize(scenario, new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }));
        var lines = Jsonl(applied, [], scale);
        File.WriteAllText(Path.Combine(directory, "applied.jsonl"), lines);
        File.WriteAllText(Path.Combine(directory, "summary.json"), "[\n" + string.Join(",\n", Jsonl([], summary, scale).Split('\n', StringSplitOptions.RemoveEmptyEntries)) + "\n]\n");
        return $"{applied.Count} gradients applied by {speeds.Count} learners in {scenario.Until} time units ({scenario.Policy}); written to {directory}\n\n"
               + Table([], summary, scale);
    }

    private static void CheckFormat(string format)
    {
        if (format is not ("jsonl" or "table"))
        {
            throw new ArgumentException($"--format must be jsonl or table, not '{format}'");
        }
    }

    public static string Example()
    {
        var text = new StringBuilder();
        text.AppendLine("Learner 1 runs 2.5× as fast as learner 2: its gradients complete at t = 1, 2, 3, 4, 5, learner 2's at t = 2.5, 5.");
        text.AppendLine("Each learner reads the weights right after its own push; pushes and pulls take no time.");
        text.AppendLine("Staleness = server version just before applying − version the learner read.");
        text.AppendLine();
        text.Append(Run("1,2.5", "5", "table", "asp"));
        text.AppendLine();
        text.AppendLine("At t = 5 learner 1's 5th gradient and learner 2's 2nd complete together; simultaneous completions are applied in");
        text.AppendLine("ascending learner order, so learner 1's goes first and g[L2,2] sees one more update: staleness 3, not 2.");
        return text.ToString();
    }

    private static string Jsonl(IReadOnlyList<AppliedGradient> applied, IReadOnlyList<StalenessSummary> summary, TimeScale scale)
    {
        var text = new StringBuilder();
        foreach (var g in applied)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{{\"learner\":{g.Learner},\"index\":{g.Index},\"time\":{scale.Format(g.Ticks)},\"readVersion\":{g.ReadVersion},\"staleness\":{g.Staleness}}}\n");
        }

        foreach (var s in summary)
        {
            var histogram = string.Join(",", s.Histogram.Select(h => $"\"{h.Key}\":{h.Value}"));
            text.Append(CultureInfo.InvariantCulture,
                $"{{\"summary\":{{\"learner\":{s.Learner},\"gradients\":{s.Gradients},\"meanStaleness\":{s.Mean:0.######},\"maxStaleness\":{s.Max},\"histogram\":{{{histogram}}}}}}}\n");
        }

        return text.ToString();
    }

    private static string Table(IReadOnlyList<AppliedGradient> applied, IReadOnlyList<StalenessSummary> summary, TimeScale scale)
    {
        var text = new StringBuilder();
        if (applied.Count > 0)
        {
            text.AppendLine("gradient    time  read version  staleness");
            foreach (var g in applied)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{$"g[L{g.Learner},{g.Index}]",-10} {scale.Format(g.Ticks),5} {g.ReadVersion,13} {g.Staleness,10}");
            }

            text.AppendLine();
        }

        text.AppendLine("learner  gradients  mean staleness  max  histogram (staleness: count)");
        foreach (var s in summary)
        {
            var histogram = string.Join(" ", s.Histogram.Select(h => $"{h.Key}:{h.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"L{s.Learner,-7} {s.Gradients,9} {s.Mean,15:0.###} {s.Max,4}  {histogram}");
        }

        return text.ToString();
    }
}
