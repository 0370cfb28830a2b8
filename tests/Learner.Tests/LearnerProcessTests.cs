using PsTraining.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PsTraining.Hosting;

namespace PsTraining.Learner.Tests;

/// <summary>Real learner processes and real parameter-server processes on loopback, each started on its own.</summary>
[Collection(RunsAlone.Name)]
public sealed partial class LearnerProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly string _dir = Directory.CreateTempSubdirectory("pstraining-cluster-").FullName;

    [Fact]
    public async Task A_learner_killed_with_SIGKILL_leaves_the_server_and_the_others_going()
    {
        var port = LoopbackPort.Free();
        using var server = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", [.. TestWeights.Args("lenet5"), "--port", $"{port}", "--metrics-port", "0", "--learning-rate", "0.05"], Path.Combine(_dir, "ps.log"));
        var records = new List<(string Name, ulong Version)>();
        var learners = Enumerable.Range(0, 3).Select(k => ChildProcess.Start($"learner-{k + 1}", "PsTraining.Learner.dll",
            LearnerArgs(port, k, 3, "--steps", "120", "--step-time", "0.05"), Path.Combine(_dir, $"learner-{k + 1}.log"), line => Record(records, line), logOutput: false)).ToList();
        try
        {
            await WaitUntil(() => Count(records, "learner-2") >= 10, learners[1]);
            learners[1].Process.Kill();
            var versionAtKill = Max(records);
            Assert.Equal(0, await learners[0].Exited.WaitAsync(Timeout));
            Assert.Equal(0, await learners[2].Exited.WaitAsync(Timeout));
            Assert.NotEqual(0, await learners[1].Exited);
            Assert.Equal(120, Count(records, "learner-1"));
            Assert.Equal(120, Count(records, "learner-3"));
            Assert.True(Max(records) >= versionAtKill + 100, $"version {Max(records)} after the kill at {versionAtKill}");
            Assert.False(server.Exited.IsCompleted, server.Tail());
        }
        finally
        {
            learners.ForEach(l => l.Dispose());
        }
    }

    [Fact]
    public async Task The_server_killed_and_restarted_from_its_checkpoint_lets_the_learners_finish()
    {
        var port = LoopbackPort.Free();
        string[] serverArgs = [.. TestWeights.Args("lenet5"), "--port", $"{port}", "--metrics-port", "0", "--learning-rate", "0.05", "--checkpoint-dir", Path.Combine(_dir, "checkpoints"), "--checkpoint-interval", "0.5"];
        var first = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", serverArgs, Path.Combine(_dir, "ps-1.log"));
        var records = new List<(string Name, ulong Version)>();
        var learners = Enumerable.Range(0, 2).Select(k => ChildProcess.Start($"learner-{k + 1}", "PsTraining.Learner.dll",
            LearnerArgs(port, k, 2, "--steps", "80", "--step-time", "0.05", "--retry-timeout", "60"), Path.Combine(_dir, $"learner-{k + 1}.log"),
            line => Record(records, line), logOutput: false)).ToList();
        ChildProcess? second = null;
        try
        {
            await WaitUntil(() => Count(records, "learner-1") >= 30, learners[0]);
            await Task.Delay(700); // a checkpoint has been written since
            first.Process.Kill();
            await first.Exited;
            await Task.Delay(1500); // the learners find the server gone and back off
            second = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", serverArgs, Path.Combine(_dir, "ps-2.log"));

            Assert.Equal(0, await learners[0].Exited.WaitAsync(Timeout));
            Assert.Equal(0, await learners[1].Exited.WaitAsync(Timeout));
            var logs = string.Join('\n', Enumerable.Range(1, 2).Select(k => File.ReadAllText(Path.Combine(_dir, $"learner-{k}.log"))));
            Assert.Contains("retrying for up to 60 s", logs);
            Assert.Contains("resumed from", File.ReadAllText(Path.Combine(_dir, "ps-2.log")));
            // Each learner's sequence numbers reach 80; the server's version went on rising after the restart.
            foreach (var name in new[] { "learner-1", "learner-2" })
            {
                Assert.Contains($"{name}: done after", logs);
            }

            Assert.True(Max(records) > 40, $"final version {Max(records)}");
        }
        finally
        {
            learners.ForEach(l => l.Dispose());
            first.Dispose();
            second?.Dispose();
        }
    }

    [Fact]
    public async Task A_learner_stopped_with_SIGTERM_finishes_its_push_and_exits_0()
    {
        var port = LoopbackPort.Free();
        using var server = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", [.. TestWeights.Args("lenet5"), "--port", $"{port}", "--metrics-port", "0"], Path.Combine(_dir, "ps.log"));
        var records = new List<(string Name, ulong Version)>();
        using var learner = ChildProcess.Start("learner-1", "PsTraining.Learner.dll", LearnerArgs(port, 0, 1, "--step-time", "0.05"), Path.Combine(_dir, "learner.log"),
            line => Record(records, line), logOutput: false);
        await WaitUntil(() => Count(records, "learner-1") >= 10, learner);
        learner.Terminate();
        Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));

        // Every push it sent was applied and reported: its last sequence number is the number of push records.
        var log = File.ReadAllText(Path.Combine(_dir, "learner.log"));
        Assert.Contains($"stopped after {Count(records, "learner-1")} steps, last sequence {Count(records, "learner-1")}", log);
    }

    [Fact]
    public async Task Two_learners_streaming_their_pushes_train_with_every_push_applied_once()
    {
        var port = LoopbackPort.Free();
        using var server = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", [.. TestWeights.Args("lenet5"), "--port", $"{port}", "--metrics-port", "0"], Path.Combine(_dir, "ps.log"));
        var records = new List<(string Name, ulong Version)>();
        // --stream-push-mb 0: every push of LeNet-5's 61,706 floats goes as PushStream (chunks of 1 MiB: one here), then a pull.
        var learners = Enumerable.Range(0, 2).Select(k => ChildProcess.Start($"learner-{k + 1}", "PsTraining.Learner.dll",
            LearnerArgs(port, k, 2, "--steps", "15", "--step-time", "0.02", "--stream-push-mb", "0"), Path.Combine(_dir, $"learner-{k + 1}.log"),
            line => Record(records, line), logOutput: false)).ToList();
        foreach (var learner in learners)
        {
            Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));
            learner.Dispose();
        }

        // 30 pushes, 30 versions: each applied exactly once, none lost.
        Assert.Equal(Enumerable.Range(1, 30).Select(v => (ulong)v), records.Select(r => r.Version).Order());
        var metrics = File.ReadLines(Path.Combine(_dir, "ps.log")).Select(l => l.Split(' ')).First(w => w is ["metrics", "on", _])[2];
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(metrics));
        var streamed = text.Split('\n').Single(l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
                                                     && l.Contains("http_route=\"/pstraining.v1.ParameterServer/PushStream\"", StringComparison.Ordinal));
        Assert.EndsWith(" 30", streamed);
        Assert.DoesNotContain("/pstraining.v1.ParameterServer/Push\"", text);
    }

    [Fact]
    public async Task A_learners_metrics_pass_promtool_while_it_trains()
    {
        var port = LoopbackPort.Free();
        using var server = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", [.. TestWeights.Args("lenet5"), "--port", $"{port}", "--metrics-port", "0"], Path.Combine(_dir, "ps.log"));
        var records = new List<(string Name, ulong Version)>();
        string? url = null;
        using var learner = ChildProcess.Start("learner-1", "PsTraining.Learner.dll", LearnerArgs(port, 0, 1, "--step-time", "0.05", "--test-samples", "200", "--eval-every", "5"),
            Path.Combine(_dir, "learner.log"), line =>
            {
                var e = JsonDocument.Parse(line).RootElement;
                if (e.GetProperty("kind").GetString() == "metrics")
                {
                    url = e.GetProperty("url").GetString();
                }

                Record(records, line);
            }, logOutput: false);
        await WaitUntil(() => Count(records, "learner-1") >= 12 && url is not null, learner);

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(url!));
        var (code, problems) = await Promtool.CheckMetricsAsync(text);
        Assert.True(code == 0, problems + "\n" + text);

        string[] names = ["pstraining_learner_accuracy", "pstraining_learner_loss", "pstraining_learner_samples_total", "pstraining_learner_step_duration_seconds"];
        var families = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(names, families.Where(f => f.StartsWith("pstraining_", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.All(["target_info", "dotnet_gc_collections_total", "dotnet_thread_pool_threads", "dotnet_process_cpu_time_seconds_total"], name => Assert.Contains(name, families));
        Assert.Contains("service_name=\"pstraining-learner\"", text);
        Assert.Matches("pstraining_learner_step_duration_seconds_count\\{[^}]*learner=\"learner-1\",mode=\"real\",phase=\"compute\"", text);
        Assert.Matches("pstraining_learner_step_duration_seconds_count\\{[^}]*learner=\"learner-1\",mode=\"real\",phase=\"communication\"", text);
        var samples = long.Parse(text.Split('\n').Single(l => l.StartsWith("pstraining_learner_samples_total{", StringComparison.Ordinal)).Split(' ')[^1], CultureInfo.InvariantCulture);
        Assert.True(samples >= 12 * 64 && samples % 64 == 0, $"{samples} samples");
        learner.Terminate();
        Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_learner_gives_up_on_an_unreachable_server_with_the_reason()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["exec", Path.Combine(AppContext.BaseDirectory, "PsTraining.Learner.dll"), .. LearnerArgs(LoopbackPort.Free(), 0, 1, "--retry-timeout", "2")])
        {
            info.ArgumentList.Add(a);
        }

        using var learner = Process.Start(info)!;
        var error = learner.StandardError.ReadToEndAsync();
        await learner.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(3, learner.ExitCode);
        Assert.Matches(@"the parameter server at http://127\.0\.0\.1:\d+/ stayed unreachable for 2 s \(\d+ attempts; last: Unavailable", await error);
        Assert.Contains("retrying for up to 2 s", await error);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] LearnerArgs(int port, int shard, int shards, params string[] extra) =>
        ["--ps", $"http://127.0.0.1:{port}", "--name", $"learner-{shard + 1}", "--shard-index", $"{shard}", "--shard-count", $"{shards}",
         "--train-samples", "6000", "--threads", "1", .. extra.Contains("--test-samples") ? extra : ["--test-samples", "0", .. extra]];

    private static void Record(List<(string, ulong)> records, string line)
    {
        var e = JsonDocument.Parse(line).RootElement;
        if (e.GetProperty("kind").GetString() == "push")
        {
            lock (records)
            {
                records.Add((e.GetProperty("name").GetString()!, e.GetProperty("appliedVersion").GetUInt64()));
            }
        }
    }

    private static int Count(List<(string Name, ulong Version)> records, string name)
    {
        lock (records)
        {
            return records.Count(r => r.Name == name);
        }
    }

    private static ulong Max(List<(string Name, ulong Version)> records)
    {
        lock (records)
        {
            return records.Max(r => r.Version);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, ChildProcess? watched)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Timeout, "timed out");
            Assert.False(watched?.Exited.IsCompleted ?? false, watched?.Tail());
            await Task.Delay(100);
        }
    }
}
