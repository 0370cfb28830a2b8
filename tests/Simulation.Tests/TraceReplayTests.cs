using System.Text.Json;
using PsTraining.Models.Speed;

namespace PsTraining.Simulation.Tests;

/// <summary>
/// Replaying the push log of a real run. The fixture was recorded by the launcher (cluster --speeds 2.5,1
/// --base-step-time 0.5 --duration 6): two learner processes with step times 0.2 s and 0.5 s, one parameter server.
/// </summary>
public sealed class TraceReplayTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "trace-0.2s-0.5s.jsonl");

    [Fact]
    public void A_recorded_run_replays_to_its_staleness_sequence_away_from_ties()
    {
        var trace = Trace.Load(Fixture);
        var (applied, _) = trace.Replay();
        Assert.Equal(trace.Recorded.Count, applied.Count);

        // Away from ties (another learner's push within 50 ms of a gradient's completion or of its read) the replay is exact;
        // at a tie the real server's order was a race that the trace's times cannot settle. This run has ties at t = 1, 2, ...
        var recorded = Records().ToList();
        var near = TieRule.NearTies(recorded.Select(r => (r.Learner, r.Index, r.Time)).ToList(), jitter: 0.05);
        var replayed = applied.ToDictionary(g => (g.Learner, (long)g.Index), g => g.Staleness);
        var away = recorded.Where(r => !near.Contains((r.Learner, r.Index))).ToList();
        Assert.True(away.Count >= 15, $"only {away.Count} of {recorded.Count} gradients are away from ties");
        Assert.All(away, r => Assert.Equal(r.Staleness, replayed[(r.Learner, r.Index)]));
        Assert.True(recorded.Count(r => r.Staleness == replayed[(r.Learner, r.Index)]) >= 0.9 * recorded.Count);
    }

    [Fact]
    public void Replayed_steps_are_the_recorded_intervals_and_the_learners_stop_where_the_trace_ends()
    {
        var trace = Trace.Load(Fixture);
        Assert.Equal(["learner-1", "learner-2"], trace.Learners);
        var first = Records().Where(r => r.Learner == 1).OrderBy(r => r.Index).Take(2).ToList();
        var steps = ((TraceSpeed)trace.Speeds[0]).Steps;
        Assert.Equal((decimal)first[0].Time, steps[0]);
        Assert.Equal((decimal)first[1].Time - (decimal)first[0].Time, steps[1]);
        Assert.Equal(Records().Count(r => r.Learner == 2), ((TraceSpeed)trace.Speeds[1]).Gradients);
    }

    [Fact]
    public void A_broken_trace_gets_an_error_that_names_the_line()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, [File.ReadLines(Fixture).First(), "{\"kind\":\"push\",\"name\":\"learner-1\"}"]);
            Assert.Contains("line 2", Assert.Throws<ArgumentException>(() => Trace.Load(path)).Message);
            File.WriteAllText(path, "");
            Assert.Contains("no push records", Assert.Throws<ArgumentException>(() => Trace.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The fixture read independently of <see cref="Trace"/>: learners numbered by name, indices by sequence.</summary>
    private static IEnumerable<(int Learner, long Index, double Time, ulong Staleness)> Records() =>
        File.ReadLines(Fixture).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Learner: e.GetProperty("name").GetString() == "learner-1" ? 1 : 2, Index: e.GetProperty("seq").GetInt64(), Time: e.GetProperty("time").GetDouble(),
                Staleness: e.GetProperty("staleness").GetUInt64()));
}
