using System.Globalization;
using System.Text.Json;
using PsTraining.Models.Speed;

namespace PsTraining.Simulation;

/// <summary>
/// A push log recorded by a real run (the local launcher's pushes.jsonl: one JSON line per applied push with the
/// learner's name, its sequence number, the seconds since the run's common start, and the staleness the server
/// gave it), turned into one <see cref="TraceSpeed"/> per learner for replay: learner i's j-th step takes
/// t[i, j] − t[i, j−1], with t[i, 0] = 0. Learners are numbered in the order of their names (learner-1, learner-2, ...).
/// </summary>
public sealed record Trace(IReadOnlyList<string> Learners, IReadOnlyList<SpeedModel> Speeds, decimal Until, IReadOnlyList<(int Learner, long Index, ulong Staleness)> Recorded)
{
    /// <summary>Microsecond ticks: the recorded times have six decimals.</summary>
    public TimeScale Scale { get; } = TimeScale.For([Until], randomDraws: true);

    public static Trace Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"trace '{path}' does not exist", path);
        }

        var pushes = new List<(string Name, ulong Seq, decimal Time, ulong Staleness)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                var e = json.RootElement;
                if (e.TryGetProperty("kind", out var kind) && kind.GetString() != "push")
                {
                    continue;
                }

                pushes.Add((e.GetProperty("name").GetString()!, e.GetProperty("seq").GetUInt64(), Math.Round(e.GetProperty("time").GetDecimal(), SpeedModel.Decimals),
                    e.GetProperty("staleness").GetUInt64()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ArgumentException($"trace '{path}', line {number}: not a push record with name, seq, time and staleness ({e.Message})");
            }
        }

        if (pushes.Count == 0)
        {
            throw new ArgumentException($"trace '{path}' holds no push records");
        }

        var learners = pushes.Select(p => p.Name).Distinct().OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).ToList();
        var speeds = new List<SpeedModel>();
        var recorded = new List<(int, long, ulong, decimal)>();
        for (var i = 0; i < learners.Count; i++)
        {
            var own = pushes.Where(p => p.Name == learners[i]).OrderBy(p => p.Seq).ToList();
            var steps = new List<decimal>();
            var previous = 0m;
            foreach (var (index, p) in own.Index())
            {
                if (p.Time <= previous)
                {
                    throw new ArgumentException($"trace '{path}': {learners[i]}'s push {p.Seq} at {p.Time} s does not come after its previous one at {previous} s");
                }

                steps.Add(p.Time - previous);
                previous = p.Time;
                recorded.Add((i + 1, index + 1, p.Staleness, p.Time));
            }

            speeds.Add(new TraceSpeed(steps));
        }

        return new Trace(learners, speeds, pushes.Max(p => p.Time),
            recorded.OrderBy(r => r.Item4).ThenBy(r => r.Item1).Select(r => (r.Item1, r.Item2, r.Item3)).ToList());
    }

    /// <summary>Replays the trace on the virtual clock; returns the applied gradients and how many got the staleness the real server gave them.</summary>
    public (List<AppliedGradient> Applied, int Matching) Replay(string policy = "asp")
    {
        var applied = new StalenessSimulation(Speeds, ParameterServer.Core.ConsistencyPolicy.Parse(policy)).Run(Scale.ToTicks(Until), Scale);
        var recorded = Recorded.ToDictionary(r => (r.Learner, r.Index), r => r.Staleness);
        return (applied, applied.Count(g => recorded.TryGetValue((g.Learner, g.Index), out var s) && s == g.Staleness));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Recorded.Count} pushes of {string.Join(", ", Learners)} over {Until} s");
}
