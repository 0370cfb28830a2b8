using PsTraining.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Core;
using PsTraining.Sim.Cluster;
using PsTraining.Simulation;

namespace PsTraining.Sim.Tests.Cluster;

/// <summary>Real learner processes and a real parameter-server process on loopback, through the launcher and on their own.</summary>
[Collection(RunsAlone.Name)]
public sealed partial class ClusterTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly string _dir = Directory.CreateTempSubdirectory("pstraining-cluster-").FullName;

    [Fact]
    public void A_server_that_cannot_serve_stops_the_launcher_with_its_reason()
    {
        // The launcher gives the server its port and waits for its health check; a port that is taken ends the run.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, output, error) = SimProcess.Run(Timeout, "cluster", "--port", $"{port}", "--metrics-port", "-1", "--duration", "5", "--out", Path.Combine(_dir, "run"));
        Assert.Equal(1, code);
        Assert.Contains("the parameter server exited (", output + error);
        Assert.Contains("before serving", output + error);
        Assert.Contains("address already in use", (output + error).ToLowerInvariant());
    }

    [Fact]
    public void Learners_at_0_2_and_0_5_seconds_get_the_simulators_staleness_away_from_ties()
    {
        var run = Path.Combine(_dir, "run");
        var (code, output, error) = SimProcess.Run(Timeout, "cluster", "--metrics-port", "0", "--speeds", "2.5,1", "--base-step-time", "0.5", "--duration", "6",
            "--test-samples", "0", "--train-samples", "6000", "--out", run);
        Assert.True(code == 0, output + error);

        // The simulator's prediction with the tie rule of the simulator (learner 1 first at t = 1, 2, ...) and with the other order.
        // Each gradient depends on at most one tie (at its completion or at its read), and a real run resolves each tie either
        // way: away from ties the two predictions agree and the run must match them exactly; at ties it must match one of them.
        var pushes = Pushes(run).ToList();
        var tenths = new TimeScale(10);
        var first = new StalenessSimulation([2, 5], ConsistencyPolicy.Asp).Run(60, tenths) // 0.2 s and 0.5 s as 2 and 5 ticks of 0.1 s, until 6 s
            .ToDictionary(g => (g.Learner, (long)g.Index), g => g.Staleness);
        var swapped = new StalenessSimulation([5, 2], ConsistencyPolicy.Asp).Run(60, tenths)
            .ToDictionary(g => (3 - g.Learner, (long)g.Index), g => g.Staleness);
        var compared = pushes.Where(p => first.ContainsKey((p.Learner, p.Index))).ToList();
        Assert.True(compared.Count >= 35, $"only {compared.Count} gradients within the predicted horizon:\n{output}");
        Assert.True(compared.Count(p => first[(p.Learner, p.Index)] == swapped[(p.Learner, p.Index)]) >= 15);
        Assert.All(compared, p => Assert.True(p.Staleness == first[(p.Learner, p.Index)] || p.Staleness == swapped[(p.Learner, p.Index)],
            $"learner {p.Learner} gradient {p.Index} at {p.Time} s: staleness {p.Staleness}; the simulator says {first[(p.Learner, p.Index)]} (or {swapped[(p.Learner, p.Index)]} if the tie went the other way)"));
        Assert.All(pushes.Where(p => first.ContainsKey((p.Learner, p.Index))), p => Assert.InRange(p.Time, 0, 6.6));

        // The run directory: config, one line per push, a summary that agrees with the pushes.
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.Equal(0, summary.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal((ulong)pushes.Count, summary.RootElement.GetProperty("version").GetUInt64());
        Assert.Contains("\"stepTime\": 0.2", File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Contains("learner-1: ", output); // the plain status lines when the output is not a terminal

        // The server's staleness histogram, read from its /metrics once the learners were done, holds exactly the pushes' staleness.
        var final = File.ReadAllLines(Path.Combine(run, "metrics-final.prom"));
        foreach (var learner in new[] { 1, 2 })
        {
            foreach (var bound in new[] { 0, 1, 2, 4, 8 })
            {
                var line = final.Single(l => l.StartsWith("pstraining_ps_staleness_bucket{", StringComparison.Ordinal) && l.Contains($"learner=\"learner-{learner}\",", StringComparison.Ordinal)
                                              && l.Contains($"le=\"{bound}\"", StringComparison.Ordinal));
                Assert.Equal(pushes.Count(p => p.Learner == learner && p.Staleness <= (ulong)bound), long.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public void Four_asp_learners_train_lenet5_past_80_percent_test_accuracy()
    {
        var run = Path.Combine(_dir, "run");
        var (code, output, error) = SimProcess.Run(Timeout, "cluster", "--metrics-port", "0", "--learners", "4", "--speeds", "1,1,1,1", "--base-step-time", "0", "--steps", "600",
            "--duration", "0", "--test-samples", "1000", "--eval-every", "100000", "--out", run);
        Assert.True(code == 0, output + error);
        var final = File.ReadLines(Path.Combine(run, "evals.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("testAccuracy").GetDouble()).ToList();
        Assert.Equal(4, final.Count);
        Assert.True(final.Max() >= 0.80, $"final test accuracies {string.Join(", ", final)}");
    }

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
        var check = new ProcessStartInfo("promtool") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        check.ArgumentList.Add("check");
        check.ArgumentList.Add("metrics");
        using var promtool = Process.Start(check)!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var problems = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, problems + "\n" + text);

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

    [Fact]
    public async Task A_real_prometheus_scrapes_a_run_every_dashboard_query_has_data_and_its_staleness_histogram_equals_the_push_log()
    {
        var prometheusPort = LoopbackPort.Free();
        var run = Path.Combine(_dir, "run");
        using var launcher = StartLauncherAlone("--prometheus", "--prometheus-port", $"{prometheusPort}", "--policy", "ssp:1", "--duration", "15", "--linger", "120",
            "--test-samples", "200", "--eval-every", "10", "--train-samples", "6000", "--out", run);
        var output = launcher.StandardOutput.ReadToEndAsync();
        var errors = launcher.StandardError.ReadToEndAsync();
        var group = launcher.Id;
        var dashboard = JsonDocument.Parse(File.ReadAllText(Repository.Path("deploy", "grafana", "dashboards", "pstraining.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.GetProperty("type").GetString() != "row").SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!.Replace("$learner", ".*", StringComparison.Ordinal)).ToList();
        Assert.True(expressions.Count >= 10);

        using var http = new HttpClient();
        async Task<JsonElement> Query(string expression)
        {
            using var answer = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{prometheusPort}/api/v1/query?query={Uri.EscapeDataString(expression)}")));
            return answer.RootElement.GetProperty("data").GetProperty("result").Clone();
        }

        // While the learners train: every query of the dashboard gets data.
        var empty = expressions.ToList();
        var clock = Stopwatch.StartNew();
        while (empty.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(90) && !launcher.HasExited)
        {
            await Task.Delay(2000);
            foreach (var expression in empty.ToList())
            {
                try
                {
                    if ((await Query(expression)).GetArrayLength() > 0)
                    {
                        empty.Remove(expression);
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }
            }
        }

        Assert.True(empty.Count == 0, $"no data for: {string.Join("; ", empty)}");

        // Once they are done (the launcher keeps the server and Prometheus up), Prometheus's staleness histogram is the push log's.
        await WaitUntil(() => File.Exists(Path.Combine(run, "metrics-final.prom")) || launcher.HasExited, null);
        await Task.Delay(3000); // two more scrapes
        var pushes = Pushes(run).ToList();
        Assert.True(pushes.Count > 50, $"{pushes.Count} pushes");
        var buckets = await Query("pstraining_ps_staleness_bucket");
        foreach (var series in buckets.EnumerateArray())
        {
            var labels = series.GetProperty("metric");
            var learner = int.Parse(labels.GetProperty("learner").GetString()!["learner-".Length..], CultureInfo.InvariantCulture);
            var le = labels.GetProperty("le").GetString()!;
            var expected = pushes.Count(p => p.Learner == learner && (le == "+Inf" || p.Staleness <= double.Parse(le, CultureInfo.InvariantCulture)));
            Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), series.GetProperty("value")[1].GetString());
        }

        Assert.Equal(2 * 10, buckets.GetArrayLength()); // two learners, nine bounds and +Inf

        Assert.Equal(0, kill(launcher.Id, 2)); // Ctrl-C ends the lingering
        await launcher.WaitForExitAsync().WaitAsync(Timeout);
        Assert.True(launcher.ExitCode == 0, $"exit {launcher.ExitCode}\n{await output}\n{await errors}");
        Assert.Empty(ProcessesInGroup(group)); // Prometheus too
    }

    [Fact]
    public void A_taken_prometheus_port_is_refused_before_anything_starts()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, output, error) = SimProcess.Run(Timeout, "cluster", "--prometheus", "--prometheus-port", $"{port}", "--duration", "5", "--out", Path.Combine(_dir, "run"));
        Assert.True(code == 1, output + error);
        Assert.Contains($"port {port} is taken", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")));
    }

    [Theory]
    [InlineData("ctrl-c")]
    [InlineData("failing child")]
    public async Task The_launcher_leaves_no_process_behind(string ending)
    {
        using var launcher = StartLauncherAlone(["--duration", "120", "--test-samples", "0", "--train-samples", "6000", "--out", Path.Combine(_dir, "run"),
            .. ending == "failing child" ? ["--learner-arg=--device", "--learner-arg=cuda:7"] : Array.Empty<string>()]);
        var output = launcher.StandardOutput.ReadToEndAsync();
        var errors = launcher.StandardError.ReadToEndAsync();
        var group = launcher.Id; // os.setsid() then exec in place: the launcher leads its own group
        if (ending == "ctrl-c")
        {
            await WaitUntil(() => File.Exists(Path.Combine(_dir, "run", "pushes.jsonl")) && new FileInfo(Path.Combine(_dir, "run", "pushes.jsonl")).Length > 0
                                  || launcher.HasExited, null);
            Assert.Equal(0, kill(launcher.Id, 2)); // SIGINT, as Ctrl-C sends
        }

        await launcher.WaitForExitAsync().WaitAsync(Timeout);
        Assert.True(launcher.ExitCode == (ending == "ctrl-c" ? 130 : 1), $"exit {launcher.ExitCode}\n{await output}\n{await errors}");
        if (ending == "failing child")
        {
            Assert.Matches("learner-[12] failed with exit code 2", await output); // both fail; whichever is seen first stops the run
            Assert.Contains("device cuda:7 was requested", await output);
        }

        Assert.Empty(ProcessesInGroup(group));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// The launcher (cluster ARGS, /metrics on a free port) in a process group of its own, so that every process it started
    /// can be looked for afterwards, and with SIGINT at its default disposition (a shell that started the tests in the
    /// background leaves it ignored, and the .NET runtime keeps an inherited "ignore").
    /// </summary>
    private static Process StartLauncherAlone(params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])",
                     "dotnet", Path.Combine(AppContext.BaseDirectory, "PsTraining.Sim.dll"), "cluster", "--metrics-port", "0", .. args])
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info)!;
    }


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

    /// <summary>The run's pushes.jsonl: learner (from its name, learner-K), sequence number, time and staleness.</summary>
    private static IEnumerable<(int Learner, long Index, double Time, ulong Staleness)> Pushes(string run) =>
        File.ReadLines(Path.Combine(run, "pushes.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).Select(e =>
            (int.Parse(e.GetProperty("name").GetString()!["learner-".Length..], CultureInfo.InvariantCulture), e.GetProperty("seq").GetInt64(),
             e.GetProperty("time").GetDouble(), e.GetProperty("staleness").GetUInt64()));


    /// <summary>Processes whose process group is <paramref name="group"/>, from /proc (field 5 of stat).</summary>
    private static List<string> ProcessesInGroup(int group) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsDigit)).Select(pid =>
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return int.Parse(fields[2], CultureInfo.InvariantCulture) == group ? $"{pid} {stat[..(stat.LastIndexOf(')') + 1)]}" : null;
            }
            catch (IOException)
            {
                return null; // exited meanwhile
            }
        }).OfType<string>().ToList();

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
