using PsTraining.Models.Zoo;
using PsTraining.TestSupport;
using System.Text.Json;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol.Client;
using PsTraining.Sim.Cluster;
using PsTraining.Protocol;

namespace PsTraining.Sim.Tests.Cluster;

/// <summary>
/// A model range-sharded over two lone server processes (--partition K/N) with learners given both addresses, and the
/// launcher's cluster of two servers with one killed mid-run.
/// </summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task A_model_sharded_over_two_servers_trains_to_the_same_weights_as_one_server()
    {
        var (whole, halves) = await TrainWholeAndHalves("plain", ["--steps", "15"]);
        Assert.Equal(InitialWeights.Of("lenet5", 1).Layout.TotalLength, halves.Weights.Length);
        Assert.Equal(whole.Weights, halves.Weights); // bit for bit: the same gradients meet the same elementwise SGD
        Assert.NotEqual(InitialWeights.Of("lenet5", 1).Weights, halves.Weights);
        Assert.Equal([15UL, 15UL], halves.Versions);

        // Each push line gives every partition's versions; one learner alone is never stale.
        var pushes = Pushes(halves.Lines);
        Assert.Equal(15, pushes.Count);
        Assert.All(pushes, p => Assert.Equal(2, p.GetProperty("partitions").GetArrayLength()));
        Assert.Equal(Enumerable.Range(1, 15).Select(v => (ulong)v), pushes.Select(p => p.GetProperty("partitions")[1].GetProperty("appliedVersion").GetUInt64()));
        Assert.DoesNotContain(whole.Lines, l => l.Contains("partitions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Servers_listed_out_of_partition_order_are_refused_with_the_reason()
    {
        var ports = new[] { LoopbackPort.Free(), LoopbackPort.Free() };
        var servers = ports.Select((port, k) => ChildProcess.Start($"ps-{k}", "PsTraining.ParameterServer.dll",
            [.. TestWeights.Args("lenet5"), "--port", $"{port}", "--metrics-port", "-1", "--partition", $"{k}/2"], Path.Combine(_dir, $"ps-{k}.log"))).ToList();
        try
        {
            using var learner = ChildProcess.Start("learner-1", "PsTraining.Learner.dll",
                ["--ps", $"http://127.0.0.1:{ports[1]},http://127.0.0.1:{ports[0]}", "--steps", "3", "--test-samples", "0", "--train-samples", "640"],
                Path.Combine(_dir, "learner.log"));
            Assert.Equal(4, await learner.Exited.WaitAsync(Timeout));
            var log = File.ReadAllText(Path.Combine(_dir, "learner.log"));
            Assert.Contains($"the server at http://127.0.0.1:{ports[1]}/ holds", log);
            Assert.Contains("list the servers in partition order, each started with --partition K/N", log);
        }
        finally
        {
            servers.ForEach(s => s.Dispose());
        }
    }

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

    /// <summary>One learner given <paramref name="learnerArgs"/>, against one server holding the whole model, then against two holding half of it each.</summary>
    private async Task<(TrainedRun Whole, TrainedRun Halves)> TrainWholeAndHalves(string tag, string[] learnerArgs)
    {
        var layout = InitialWeights.Of("lenet5", 1).Layout;
        return (await TrainAndPull([[]], layout, $"{tag}-whole", learnerArgs),
            await TrainAndPull([["--partition", "0/2"], ["--partition", "1/2"]], layout, $"{tag}-halves", learnerArgs));
    }

    /// <summary>The push lines among a learner's output lines.</summary>
    private static List<JsonElement> Pushes(IEnumerable<string> lines) =>
        lines.Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("kind").GetString() == "push").ToList();

    /// <summary>What a learner left behind: every server's weights put together, each server's version, and the learner's output lines.</summary>
    private sealed record TrainedRun(float[] Weights, ulong[] Versions, List<string> Lines);

    /// <summary>
    /// Starts one server per argument list (partition k of N for the k-th), runs one learner against them all until it
    /// is done, and pulls every server's weights (as an anonymous reader) into one flat vector.
    /// </summary>
    private async Task<TrainedRun> TrainAndPull(string[][] serverArgs, ParameterLayout layout, string tag, string[] learnerArgs)
    {
        var ports = serverArgs.Select(_ => LoopbackPort.Free()).ToList();
        var servers = serverArgs.Select((args, k) => ChildProcess.Start($"ps-{k}", "PsTraining.ParameterServer.dll",
            [.. TestWeights.Args("lenet5"), "--port", $"{ports[k]}", "--metrics-port", "-1", .. args], Path.Combine(_dir, $"{tag}-ps-{k}.log"))).ToList();
        try
        {
            var lines = new List<string>();
            using (var learner = ChildProcess.Start("learner-1", "PsTraining.Learner.dll",
                       ["--ps", string.Join(',', ports.Select(p => $"http://127.0.0.1:{p}")), "--test-samples", "0", "--train-samples", "6000", "--threads", "1", .. learnerArgs],
                       Path.Combine(_dir, $"{tag}-learner.log"), line => { lock (lines) { lines.Add(line); } }, logOutput: false))
            {
                Assert.True(await learner.Exited.WaitAsync(Timeout) == 0, learner.Tail());
            }

            var weights = new float[layout.TotalLength];
            var versions = new ulong[ports.Count];
            for (var k = 0; k < ports.Count; k++)
            {
                var range = ParameterPartition.Of(layout, k, ports.Count);
                using var channel = new ParameterServerClient(new Uri($"http://127.0.0.1:{ports[k]}"));
                versions[k] = await channel.PullIntoAsync(0, range.Layout, weights.AsMemory(range.Start, range.Length));
            }

            return new TrainedRun(weights, versions, lines);
        }
        finally
        {
            servers.ForEach(s => s.Dispose());
        }
    }
}
