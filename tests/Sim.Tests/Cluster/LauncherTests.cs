using PsTraining.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Core;
using PsTraining.Simulation;

namespace PsTraining.Sim.Tests.Cluster;

/// <summary>The launcher (<c>cluster</c>): real learner processes and a real parameter-server process on loopback, started and watched by it.</summary>
[Collection(RunsAlone.Name)]
public sealed partial class LauncherTests : IDisposable
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
        await WaitUntil(() => File.Exists(Path.Combine(run, "metrics-final.prom")) || launcher.HasExited);
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
                                  || launcher.HasExited);
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

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Timeout, "timed out");
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
