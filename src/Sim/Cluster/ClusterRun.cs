using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PsTraining.Sim.Cluster;

/// <summary>
/// A local multi-process run: one parameter-server process (or one per partition of the model, with --partitions) and
/// N learner processes on loopback, a live view of each learner, and a run directory: config.json, pushes.jsonl (one
/// line per applied push), evals.jsonl, the processes' logs, checkpoints/, metrics-final.prom (the servers' /metrics
/// once the learners are done) and summary.json; with
/// --prometheus, Debian's Prometheus beside it (its config and data there too). Everything is torn down when the
/// learners finish (after --linger seconds), on Ctrl-C (or SIGTERM), or as soon as any process fails; the exit code is
/// 0, 130 when interrupted, 1 when a process failed.
/// </summary>
internal sealed class ClusterRun(ClusterOptions options, TextWriter log)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    private readonly object _gate = new();
    private readonly List<LearnerProgress> _learners = [];
    private PrometheusSidecar? _prometheus;
    private ulong _version;


    public string Directory { get; } = options.Out ?? Path.Combine("runs", $"cluster-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");

    public async Task<int> RunAsync(CancellationToken interrupt)
    {
        if (options.Prometheus)
        {
            PrometheusSidecar.EnsureFree(options.PrometheusPort);
        }

        System.IO.Directory.CreateDirectory(Directory);
        var clock = Stopwatch.StartNew();
        var servers = new List<ServerProcess>();
        try
        {
            for (var k = 0; k < options.Partitions; k++)
            {
                var server = await StartServerAsync(k, interrupt);
                if (server is null)
                {
                    return interrupt.IsCancellationRequested ? 130 : 1;
                }

                servers.Add(server);
            }

            return await RunLearnersAsync(servers, clock, interrupt);
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.Process.StopAsync(Grace)));
            servers.ForEach(s => s.Process.Dispose());
        }
    }

    /// <summary>One parameter-server process (partition k of the model), once it listens; null (and why, on the log) when it did not start.</summary>
    private async Task<ServerProcess?> StartServerAsync(int k, CancellationToken interrupt)
    {
        var sharded = options.Partitions > 1;
        var args = new List<string>
        {
            "--port", $"{(options.Port == 0 ? 0 : options.Port + k)}", "--model", options.Model, "--policy", options.Policy, "--seed", $"{options.Seed}",
            "--learning-rate", options.LearningRate.ToString(CultureInfo.InvariantCulture), "--status-interval", "5",
            "--checkpoint-dir", Path.Combine(Directory, "checkpoints", sharded ? $"partition-{k}" : ""),
            "--metrics-port", $"{(options.MetricsPort <= 0 ? options.MetricsPort : options.MetricsPort + k)}",
            "--partition", $"{k}/{options.Partitions}",
        };
        var name = sharded ? $"parameter server {k}/{options.Partitions}" : "parameter server";
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? metricsUrl = null;
        var process = ChildProcess.Start(name, "PsTraining.ParameterServer.dll", args, Path.Combine(Directory, sharded ? $"ps-{k}.log" : "ps.log"), line =>
        {
            if (line.StartsWith("metrics on ", StringComparison.Ordinal))
            {
                metricsUrl = line["metrics on ".Length..];
            }

            const string marker = "listening on http://127.0.0.1:";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                var rest = line[(at + marker.Length)..];
                listening.TrySetResult(int.Parse(rest[..rest.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture));
            }
        });
        var started = await Task.WhenAny(listening.Task, process.Exited, Task.Delay(TimeSpan.FromSeconds(60), interrupt));
        if (started != listening.Task)
        {
            await process.StopAsync(Grace);
            log.WriteLine(started == process.Exited ? $"the {name} exited ({process.Exited.Result}) before listening:\n{process.Tail()}"
                : interrupt.IsCancellationRequested ? $"interrupted before the {name} was listening" : $"the {name} did not start listening within 60 s");
            process.Dispose();
            return null;
        }

        var address = $"http://127.0.0.1:{listening.Task.Result}";
        log.WriteLine($"{name} on {address}{(metricsUrl is null ? "" : $", metrics on {metricsUrl}")}; run directory {Directory}");
        return new ServerProcess(name, address, metricsUrl, args, process);
    }

    private async Task<int> RunLearnersAsync(List<ServerProcess> servers, Stopwatch clock, CancellationToken interrupt)
    {
        var threads = options.Threads > 0 ? options.Threads : Math.Max(1, Environment.ProcessorCount / options.Learners);
        using var pushes = new StreamWriter(Path.Combine(Directory, "pushes.jsonl"));
        using var evals = new StreamWriter(Path.Combine(Directory, "evals.jsonl"));
        await using var prometheus = options.Prometheus ? PrometheusSidecar.Start(Directory, options.PrometheusPort) : null;
        if (prometheus is not null)
        {
            _prometheus = prometheus;
            foreach (var server in servers.Where(s => s.MetricsUrl is not null))
            {
                prometheus.Scrape(servers.Count == 1 ? "ps" : $"ps-{servers.IndexOf(server)}", server.MetricsUrl!);
            }

            log.WriteLine($"{prometheus} scraping the run every second (config and data in {Directory}); Grafana: deploy/grafana");
        }

        var startAt = DateTimeOffset.UtcNow.AddSeconds(options.StartDelay).ToUnixTimeMilliseconds();
        var learnerArgs = new List<List<string>>();
        var children = new List<ChildProcess>();
        try
        {
            for (var k = 0; k < options.Learners; k++)
            {
                var progress = new LearnerProgress($"learner-{k + 1}", options.StepTime(k));
                _learners.Add(progress);
                var args = new List<string>
                {
                    "--ps", string.Join(',', servers.Select(s => s.Address)), "--name", progress.Name, "--shard-index", $"{k}", "--shard-count", $"{options.Learners}",
                    "--model", options.Model, "--batch-size", $"{options.BatchSize}", "--seed", $"{options.Seed}",
                    "--step-time", progress.StepTime.ToString(CultureInfo.InvariantCulture), "--start-at", $"{startAt}", "--threads", $"{threads}",
                    "--duration", options.Duration.ToString(CultureInfo.InvariantCulture), "--steps", $"{options.Steps}",
                    "--train-samples", $"{options.TrainSamples}", "--test-samples", $"{options.TestSamples}", "--eval-every", $"{options.EvalEvery}",
                };
                args.AddRange(options.LearnerArgs);
                learnerArgs.Add(args);
                children.Add(ChildProcess.Start(progress.Name, "PsTraining.Learner.dll", args, Path.Combine(Directory, $"{progress.Name}.log"),
                    line => OnLearnerLine(progress, line, pushes, evals), logOutput: false));
            }

            WriteConfig(servers, learnerArgs);
            var outcome = await WatchAsync(servers, children, clock, interrupt);

            await Task.WhenAll(children.Select(c => c.StopAsync(Grace)));
            lock (_gate)
            {
                pushes.Flush();
                evals.Flush();
            }

            await SaveFinalMetrics(servers);
            if (outcome.ExitCode == 0 && options.Linger > 0)
            {
                // The learners are done; the server (and Prometheus) stay up for the dashboards until the time is up or Ctrl-C.
                log.WriteLine($"{outcome.Message}; serving the final state for {options.Linger} s (Ctrl-C ends it)");
                await Task.WhenAny([Task.Delay(TimeSpan.FromSeconds(options.Linger), interrupt), .. servers.Select(s => s.Process.Exited)]).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await Task.WhenAll(servers.Select(s => s.Process.StopAsync(Grace)));

            WriteSummary(outcome, children, clock.Elapsed);
            log.WriteLine(outcome.Message);
            log.WriteLine($"run directory: {Directory}");
            return outcome.ExitCode;
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
        }
    }

    /// <summary>Shows the learners until they are all done, one fails, a server exits, or the run is interrupted.</summary>
    private async Task<(int ExitCode, string Message)> WatchAsync(List<ServerProcess> servers, List<ChildProcess> children, Stopwatch clock, CancellationToken interrupt)
    {
        (int, string)? outcome = null;
        async Task Poll(Action refresh)
        {
            var nextPlain = TimeSpan.Zero;
            while (outcome is null)
            {
                await Task.Delay(500, interrupt).ContinueWith(_ => { }, TaskScheduler.Default); // ends early on Ctrl-C
                outcome = Check(servers, children, interrupt);
                refresh();
                if (!AnsiConsole.Profile.Capabilities.Interactive && clock.Elapsed >= nextPlain)
                {
                    nextPlain = clock.Elapsed + TimeSpan.FromSeconds(5);
                    PrintPlain(clock.Elapsed);
                }
            }
        }

        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Live(View(clock.Elapsed)).StartAsync(ctx => Poll(() => ctx.UpdateTarget(View(clock.Elapsed))));
        }
        else
        {
            await Poll(() => { });
        }

        PrintPlain(clock.Elapsed);
        return outcome!.Value;
    }

    private (int, string)? Check(List<ServerProcess> servers, List<ChildProcess> children, CancellationToken interrupt)
    {
        for (var k = 0; k < children.Count; k++)
        {
            if (children[k].Exited.IsCompleted)
            {
                var code = children[k].Exited.Result;
                lock (_gate)
                {
                    _learners[k].State = code == 0 ? "done" : $"failed ({code})";
                }

                if (code != 0 && !interrupt.IsCancellationRequested)
                {
                    return (1, $"{children[k].Name} failed with exit code {code}; stopping the run. Its last lines:\n{children[k].Tail()}");
                }
            }
        }

        if (_prometheus is { Exited.IsCompleted: true } && !interrupt.IsCancellationRequested)
        {
            return (1, $"Prometheus exited ({_prometheus.Exited.Result}) during the run; stopping. Its last lines:\n{_prometheus.Tail()}");
        }

        if (servers.FirstOrDefault(s => s.Process.Exited.IsCompleted) is { } gone && !interrupt.IsCancellationRequested)
        {
            return (1, $"the {gone.Name} exited ({gone.Process.Exited.Result}) during the run; stopping. Its last lines:\n{gone.Process.Tail()}");
        }

        if (interrupt.IsCancellationRequested)
        {
            return (130, "interrupted: stopping the learners (each finishes its push in flight) and the parameter server");
        }

        return children.All(c => c.Exited.IsCompleted) ? (0, $"all {children.Count} learners finished; model version {_version}") : null;
    }

    private void OnLearnerLine(LearnerProgress learner, string line, StreamWriter pushes, StreamWriter evals)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            lock (_gate)
            {
                switch (root.GetProperty("kind").GetString())
                {
                    case "push":
                        pushes.WriteLine(line);
                        learner.Pushed(root.GetProperty("time").GetDouble(), root.GetProperty("staleness").GetUInt64(), root.GetProperty("loss").GetSingle());
                        _version = Math.Max(_version, root.GetProperty("appliedVersion").GetUInt64());
                        break;
                    case "eval":
                        evals.WriteLine(line);
                        learner.Evaluated(root.GetProperty("testAccuracy").GetDouble());
                        break;
                    case "metrics":
                        learner.MetricsUrl = root.GetProperty("url").GetString();
                        _prometheus?.Scrape(learner.Name, learner.MetricsUrl!);
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            log.WriteLine($"{learner.Name}: {line}");
        }
    }

    /// <summary>
    /// The parameter servers' /metrics once the learners are done, as metrics-final.prom (metrics-final-K.prom for
    /// partition K of a sharded model): the run's final counts.
    /// </summary>
    private async Task SaveFinalMetrics(List<ServerProcess> servers)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            for (var k = 0; k < servers.Count; k++)
            {
                if (servers[k].MetricsUrl is { } url)
                {
                    var file = servers.Count == 1 ? "metrics-final.prom" : $"metrics-final-{k}.prom";
                    await File.WriteAllTextAsync(Path.Combine(Directory, file), await http.GetStringAsync(new Uri(url)));
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            log.WriteLine($"the parameter servers' final metrics could not be read: {e.Message}");
        }
    }

    private IRenderable View(TimeSpan elapsed)
    {
        var table = new Table().Title($"parameter server: version {_version} · {elapsed.TotalSeconds:F0} s · {Directory}")
            .AddColumns("learner", "step time", "steps", "grad/s", "staleness mean", "max", "loss", "accuracy", "progress", "state");
        lock (_gate)
        {
            foreach (var l in _learners)
            {
                table.AddRow(l.Name, l.StepTime == 0 ? "free" : $"{l.StepTime} s", $"{l.Steps}", $"{l.Rate:F1}", $"{l.MeanStaleness:F2}", $"{l.MaxStaleness}",
                    float.IsNaN(l.Loss) ? "-" : $"{l.Loss:F4}", l.Accuracy is { } a ? $"{a:P1}" : "-", Bar(Fraction(l)), l.State);
            }
        }

        return table;
    }

    private void PrintPlain(TimeSpan elapsed)
    {
        lock (_gate)
        {
            var learners = string.Join("  ", _learners.Select(l => string.Create(CultureInfo.InvariantCulture,
                $"{l.Name}: {l.Steps} steps {l.Rate:F1}/s staleness mean {l.MeanStaleness:F2} max {l.MaxStaleness} loss {l.Loss:F4}{(l.Accuracy is { } a ? $" acc {a:P1}" : "")}")));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds,5:F0} s  version {_version}  {learners}"));
        }
    }

    private double Fraction(LearnerProgress l) =>
        Math.Clamp(options.Steps > 0 ? l.Steps / (double)options.Steps : l.LastTime / options.Duration, 0, 1);

    private static string Bar(double fraction)
    {
        var filled = (int)Math.Round(fraction * 20);
        return $"{new string('█', filled)}{new string('░', 20 - filled)} {fraction,4:P0}";
    }

    private void WriteConfig(List<ServerProcess> servers, List<List<string>> learnerArgs) =>
        File.WriteAllText(Path.Combine(Directory, "config.json"), JsonSerializer.Serialize(new
        {
            options,
            parameterServers = servers.Select(s => new { address = s.Address, args = s.Args }),
            learners = learnerArgs.Select((a, k) => new { name = _learners[k].Name, stepTime = _learners[k].StepTime, args = a }),
        }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));

    private void WriteSummary((int ExitCode, string Message) outcome, List<ChildProcess> children, TimeSpan elapsed)
    {
        lock (_gate)
        {
            File.WriteAllText(Path.Combine(Directory, "summary.json"), JsonSerializer.Serialize(new
            {
                exitCode = outcome.ExitCode,
                outcome = outcome.Message,
                seconds = Math.Round(elapsed.TotalSeconds, 1),
                version = _version,
                learners = _learners.Select((l, k) => new
                {
                    name = l.Name,
                    stepTime = l.StepTime,
                    steps = l.Steps,
                    meanStaleness = l.MeanStaleness,
                    maxStaleness = l.MaxStaleness,
                    lastLoss = float.IsNaN(l.Loss) ? (float?)null : l.Loss,
                    lastAccuracy = l.Accuracy,
                    exitCode = children[k].Exited.IsCompleted ? children[k].Exited.Result : (int?)null,
                }),
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    /// <summary>A running parameter-server process: partition k of the model (all of it when unsharded).</summary>
    private sealed record ServerProcess(string Name, string Address, string? MetricsUrl, List<string> Args, ChildProcess Process);
}
