using PsTraining.TestSupport;
using System.Text.Json;

namespace PsTraining.Sim.Tests.Cluster;

/// <summary>The launcher's cluster of two servers with one killed mid-run.</summary>
public sealed partial class LauncherTests
{
    [Fact]
    public void The_launcher_runs_a_cluster_of_two_servers_and_rides_out_a_killed_one()
    {
        var run = Path.Combine(_dir, "run");
        // 200 steps at 0.02 s and 0.05 s: both learners have work left at the kill (2 s), and the slower one still trains
        // when the killed server is back (about 2 s later, plus its start), so the recovery and the restart both happen.
        var (code, output, error) = SimProcess.Run(Timeout, "cluster", "--servers", "2", "--metrics-port", "0", "--learners", "2", "--steps", "200", "--duration", "0",
            "--test-samples", "0", "--train-samples", "2000", "--base-step-time", "0.05", "--checkpoint-interval", "0.5", "--start-delay", "2",
            "--kill-server", "1@2", "--restart-after", "2", "--out", run);
        Assert.True(code == 0, output + error);
        Assert.Contains("parameter server 1 on http://127.0.0.1:", error + output);
        Assert.Contains("server 1 killed at ", error + output);

        // Both servers are members of one cluster on the run's redis-server, sharing 8 shards and one checkpoint folder;
        // the learners were given server 0 only.
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        var servers = config.RootElement.GetProperty("parameterServers").EnumerateArray().ToList();
        Assert.Equal(2, servers.Count);
        Assert.All(servers, s => Assert.Equal(["redis", "8"], new[] { "--cluster", "--cluster-shards" }.Select(o =>
            s.GetProperty("args").EnumerateArray().SkipWhile(a => a.GetString() != o).ElementAt(1).GetString())));
        var first = servers[0].GetProperty("address").GetString();
        Assert.All(config.RootElement.GetProperty("learners").EnumerateArray(), l => Assert.Contains(first, l.GetProperty("args").EnumerateArray().Select(a => a.GetString())));

        // Every step of both learners was pushed to all 8 shards; the kill moved shards (routes.jsonl), every learner came
        // back, and the summary says when, how fast, and what was lost.
        var pushes = File.ReadLines(Path.Combine(run, "pushes.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(pushes.Count >= 370, $"{pushes.Count} pushes");
        Assert.All(pushes, p => Assert.Equal(8, p.GetProperty("partitions").GetArrayLength()));
        Assert.NotEmpty(File.ReadLines(Path.Combine(run, "routes.jsonl")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var kill = Assert.Single(summary.RootElement.GetProperty("kills").EnumerateArray());
        Assert.Equal(1, kill.GetProperty("server").GetInt32());
        Assert.InRange(kill.GetProperty("atSeconds").GetDouble(), 2, 10);
        Assert.InRange(kill.GetProperty("recoverySeconds").GetDouble(), 0, 60);
        Assert.True(kill.GetProperty("restartedAtSeconds").GetDouble() >= kill.GetProperty("atSeconds").GetDouble() + 2);
        Assert.Equal(JsonValueKind.Number, summary.RootElement.GetProperty("lostUpdates").ValueKind);
        Assert.True(summary.RootElement.GetProperty("routeChanges").GetInt64() > 0);
        Assert.True(File.Exists(Path.Combine(run, "ps-1.2.log")), "the restarted server's log");
        // Every shard the learners found gone from the killed server was loaded again, and counted (the dashboard's cluster
        // row reads this counter): on the survivor ("moved"), or on the restarted server at the same address ("reloaded")
        // when the restart came before the cluster had declared the old one dead; which of the two is a race of 2 s.
        var killed = new Uri(servers[1].GetProperty("address").GetString()!);
        var left = File.ReadLines(Path.Combine(run, "routes.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => new Uri(r.GetProperty("from").GetString()!) == killed).Select(r => r.GetProperty("shard").GetInt32()).Distinct().Count();
        Assert.True(left >= 1, "no shard left the killed server");
        var loadedAgain = new[] { 0, 1 }.SelectMany(k => File.ReadLines(Path.Combine(run, $"metrics-final-{k}.prom")))
            .Where(l => l.StartsWith("pstraining_ps_shards_loaded_total{", StringComparison.Ordinal)
                        && (l.Contains("kind=\"moved\"", StringComparison.Ordinal) || l.Contains("kind=\"reloaded\"", StringComparison.Ordinal)))
            .Sum(l => long.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(loadedAgain >= left, $"{left} shards left the killed server, {loadedAgain} shard loads counted since");
        Assert.True(Directory.Exists(Path.Combine(run, "checkpoints", "shard-0")));
    }
}
