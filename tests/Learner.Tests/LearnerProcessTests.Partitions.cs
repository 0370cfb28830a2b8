using PsTraining.Models.Zoo;
using PsTraining.TestSupport;
using System.Text.Json;
using PsTraining.Hosting;
using PsTraining.Protocol.Client;
using PsTraining.Protocol;

namespace PsTraining.Learner.Tests;

/// <summary>A model range-sharded over two lone server processes (--partition K/N) with learners given both addresses.</summary>
public sealed partial class LearnerProcessTests
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
                // A failure shows the servers' last lines too: a learner that cannot reach a server says only that.
                Assert.True(await learner.Exited.WaitAsync(Timeout) == 0, string.Join("\n", [learner.Tail(), .. servers.Select(s => s.Tail())]));
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
