using PsTraining.Hosting;
using PsTraining.Models.Zoo;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Health.V1;
using Spectre.Console;
using Proto = PsTraining.Protocol.V1;
using Spectre.Console.Rendering;

namespace PsTraining.Sim.Cluster;

/// <summary>
/// A local multi-process run: one parameter-server process, or with --servers N a cluster of N (Orleans silos with
/// Redis clustering on a redis-server started here, sharing the model's shards), and learner processes on loopback,
/// given one server's address (the launcher picks every server's ports and starts the learners once each server's
/// grpc.health check says SERVING); a live view of each learner; fault injection (--kill-server K@T, --restart-after S); and
/// a run directory: config.json, pushes.jsonl (one line per applied push), evals.jsonl, routes.jsonl (each shard a
/// learner found at a new owner), the processes' logs, checkpoints/, metrics-final*.prom (the servers' /metrics once
/// the learners are done) and summary.json (with each kill, its seconds to recovery, and the updates lost); with
/// --prometheus, Debian's Prometheus beside it (its config and data there too). Everything is torn down when the
/// learners finish (after --linger seconds), on Ctrl-C (or SIGTERM), or as soon as any process fails (a server killed
/// on purpose is not a failure); the exit code is 0, 130 when interrupted, 1 when a process failed.
/// </summary>
internal sealed class ClusterRun(ClusterOptions options, TextWriter log)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    private readonly object _gate = new();
    private readonly List<LearnerProgress> _learners = [];
    private readonly List<ServerKill> _kills = options.KillServers.Select(ServerKill.Parse).OrderBy(k => k.At).ToList();
    private PrometheusSidecar? _prometheus;
    private RedisServer? _redis;
    private ulong _version;
    private long _routeChanges;
    private DateTimeOffset _startAt;


    public string Directory { get; } = options.Out ?? Path.Combine("runs", $"cluster-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");

    private string InitialWeightsPath => Path.Combine(Directory, "initial-weights.safetensors");

    public async Task<int> RunAsync(CancellationToken interrupt)
    {
        if (options.Prometheus)
        {
            PrometheusSidecar.EnsureFree(options.PrometheusPort);
        }

        System.IO.Directory.CreateDirectory(Directory);
        // The servers hold no tensor library: they seed their weights from this file.
        InitialWeights.Write(options.Model, options.Seed, InitialWeightsPath);
        var clock = Stopwatch.StartNew();
        var servers = new List<ServerProcess>();
        try
        {
            if (options.Servers > 1)
            {
                _redis = await RedisServer.StartAsync(Path.Combine(Directory, "redis.log"));
                log.WriteLine($"redis-server on {_redis.Address} (cluster membership and shard state)");
            }

            for (var k = 0; k < options.Servers; k++)
            {
                var server = await StartServerAsync(k, ServerArgs(k), interrupt);
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
            _redis?.Dispose();
        }
    }

    /// <summary>
    /// Server k's options: a one-process server's, or a cluster member's (the shared checkpoint folder lets any member take
    /// any shard). The launcher picks the ports, so that it knows where to ask whether the server is ready.
    /// </summary>
    private List<string> ServerArgs(int k)
    {
        var port = options.Port == 0 ? LoopbackPort.Free() : options.Port + k;
        var metricsPort = options.MetricsPort switch
        {
            < 0 => -1,
            0 => LoopbackPort.Free(except: [port]),
            var first => first + k,
        };
        var args = new List<string>
        {
            "--port", $"{port}", "--initial-weights", InitialWeightsPath, "--policy", options.Policy,
            "--learning-rate", options.LearningRate.ToString(CultureInfo.InvariantCulture), "--status-interval", "5",
            "--checkpoint-dir", Path.Combine(Directory, "checkpoints"),
            "--checkpoint-interval", options.CheckpointInterval.ToString(CultureInfo.InvariantCulture),
            "--metrics-port", $"{metricsPort}",
        };
        if (_redis is not null)
        {
            args.AddRange(["--cluster", "redis", "--redis", _redis.Address, "--cluster-id", "launcher", "--cluster-shards", $"{options.ShardCount}"]);
        }

        return args;
    }

    /// <summary>
    /// Parameter-server process k, once its gRPC health service says the ParameterServer service is SERVING (on the
    /// port the launcher gave it); null (and why, on the log) when it did not get there.
    /// </summary>
    private async Task<ServerProcess?> StartServerAsync(int k, List<string> args, CancellationToken interrupt)
    {
        var name = options.Servers > 1 ? $"parameter server {k}" : "parameter server";
        var logName = options.Servers > 1 ? $"ps-{k}" : "ps";
        var logPath = Path.Combine(Directory, $"{logName}.log");
        for (var n = 2; File.Exists(logPath); n++)
        {
            logPath = Path.Combine(Directory, $"{logName}.{n}.log"); // a restarted server logs beside its first life
        }

        var port = int.Parse(args[args.IndexOf("--port") + 1], CultureInfo.InvariantCulture);
        var metricsPort = int.Parse(args[args.IndexOf("--metrics-port") + 1], CultureInfo.InvariantCulture);
        var address = $"http://127.0.0.1:{port}";
        var process = ChildProcess.Start(name, ProgramLocator.Find("PsTraining.ParameterServer.dll"), args, logPath);
        var ready = await ServingAsync(new Uri(address), process, TimeSpan.FromSeconds(60), interrupt);
        if (ready is not null)
        {
            await process.StopAsync(Grace);
            log.WriteLine(process.Exited.IsCompleted && !interrupt.IsCancellationRequested
                ? $"the {name} exited ({process.Exited.Result}) before serving:\n{process.Tail()}"
                : interrupt.IsCancellationRequested ? $"interrupted before the {name} was serving" : $"the {name} did not answer its health check within 60 s ({ready})");
            process.Dispose();
            return null;
        }

        var metricsUrl = metricsPort > 0 ? $"http://127.0.0.1:{metricsPort}/metrics" : null;
        log.WriteLine($"{name} on {address}{(metricsUrl is null ? "" : $", metrics on {metricsUrl}")}; run directory {Directory}");
        return new ServerProcess(name, address, metricsUrl, args, process);
    }

    /// <summary>Waits until the server at <paramref name="address"/> answers its named health check with SERVING; null then, else why not.</summary>
    private static async Task<string?> ServingAsync(Uri address, ChildProcess process, TimeSpan timeout, CancellationToken interrupt)
    {
        using var client = new ParameterServerClient(address);
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline && !process.Exited.IsCompleted && !interrupt.IsCancellationRequested)
        {
            try
            {
                var health = await client.CheckHealthAsync(Proto.ParameterServer.Descriptor.FullName, TimeSpan.FromSeconds(2), interrupt);
                if (health.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return null;
                }

                last = $"status {health.Status}";
            }
            catch (RpcException e)
            {
                last = $"{e.StatusCode}: {e.Status.Detail}";
            }
            catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(100, interrupt).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        return last;
    }

    /// <summary>
    /// Kills each server of --kill-server at its time (seconds after the learners' common start) with SIGKILL, and with
    /// --restart-after starts it again that much later, on the same port.
    /// </summary>
    private async Task InjectFaultsAsync(List<ServerProcess> servers, CancellationToken stop)
    {
        foreach (var kill in _kills)
        {
            // A timer may fire a little early: wait again until the kill is due, so that it never comes before T.
            for (var wait = _startAt.AddSeconds(kill.At) - DateTimeOffset.UtcNow; wait > TimeSpan.Zero; wait = _startAt.AddSeconds(kill.At) - DateTimeOffset.UtcNow)
            {
                await Task.Delay(wait, stop);
            }

            var server = servers[kill.Server];
            lock (_gate)
            {
                server.Killed = true;
                kill.KilledAt = Seconds();
                // The learners still to push: not those done, nor those that have pushed their last step and are exiting.
                kill.Waiting.UnionWith(_learners.Where(l => l.State is "starting" or "training" && (options.Steps == 0 || l.Steps < options.Steps)).Select(l => l.Name));
            }

            server.Process.Process.Kill(); // SIGKILL: no last checkpoint, no goodbye to the cluster
            await server.Process.Exited;
            log.WriteLine(kill.Describe());
            if (options.RestartAfter > 0)
            {
                _ = RestartAsync(servers, kill, stop);
            }
        }
    }

    private async Task RestartAsync(List<ServerProcess> servers, ServerKill kill, CancellationToken stop)
    {
        await Task.Delay(TimeSpan.FromSeconds(options.RestartAfter), stop);
        var old = servers[kill.Server];
        if (await StartServerAsync(kill.Server, old.Args, stop) is { } restarted)
        {
            old.Process.Dispose();
            lock (_gate)
            {
                servers[kill.Server] = restarted;
                kill.RestartedAt = Seconds();
            }

            if (restarted.MetricsUrl is { } url)
            {
                _prometheus?.Scrape(options.Servers > 1 ? $"ps-{kill.Server}" : "ps", url);
            }

            log.WriteLine(kill.Describe());
        }
    }

    /// <summary>Seconds since the learners' common start.</summary>
    private double Seconds() => Math.Round((DateTimeOffset.UtcNow - _startAt).TotalSeconds, 3);

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

        _startAt = DateTimeOffset.UtcNow.AddSeconds(options.StartDelay);
        var startAt = _startAt.ToUnixTimeMilliseconds();
        using var routes = new StreamWriter(Path.Combine(Directory, "routes.jsonl"));
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
                    "--ps", servers[0].Address, "--name", progress.Name, "--shard-index", $"{k}", "--shard-count", $"{options.Learners}",
                    "--model", options.Model, "--batch-size", $"{options.BatchSize}", "--seed", $"{options.Seed}",
                    "--step-time", progress.StepTime.ToString(CultureInfo.InvariantCulture), "--start-at", $"{startAt}", "--threads", $"{threads}",
                    "--duration", options.Duration.ToString(CultureInfo.InvariantCulture), "--steps", $"{options.Steps}",
                    "--train-samples", $"{options.TrainSamples}", "--test-samples", $"{options.TestSamples}", "--eval-every", $"{options.EvalEvery}",
                };
                args.AddRange(options.LearnerArgs);
                learnerArgs.Add(args);
                children.Add(ChildProcess.Start(progress.Name, ProgramLocator.Find("PsTraining.Learner.dll"), args, Path.Combine(Directory, $"{progress.Name}.log"),
                    line => OnLearnerLine(progress, line, pushes, evals, routes), logOutput: false));
            }

            WriteConfig(servers, learnerArgs);
            using var stopFaults = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
            var faults = InjectFaultsAsync(servers, stopFaults.Token);
            var outcome = await WatchAsync(servers, children, clock, interrupt);
            await stopFaults.CancelAsync();
            await faults.ContinueWith(_ => { }, TaskScheduler.Default);

            await Task.WhenAll(children.Select(c => c.StopAsync(Grace)));
            lock (_gate)
            {
                pushes.Flush();
                evals.Flush();
            }

            await SaveFinalMetrics(servers);
            var census = await ClusterCensus.ReadAsync(servers.Where(s => !s.Process.Exited.IsCompleted).Select(s => s.Address).FirstOrDefault(), log);
            if (census is not null && (options.Servers > 1 || _kills.Count > 0))
            {
                var spread = string.Join(", ", servers.Select(s => $"{s.Name}: {census.ShardsPerServer.GetValueOrDefault(s.Address)}"));
                log.WriteLine($"updates lost to kills: {census.LostUpdates}; shards held at the end: {spread}; shard moves seen by the learners: {_routeChanges}");
            }
            if (outcome.ExitCode == 0 && options.Linger > 0)
            {
                // The learners are done; the server (and Prometheus) stay up for the dashboards until the time is up or Ctrl-C.
                log.WriteLine($"{outcome.Message}; serving the final state for {options.Linger} s (Ctrl-C ends it)");
                await Task.WhenAny([Task.Delay(TimeSpan.FromSeconds(options.Linger), interrupt), .. servers.Select(s => s.Process.Exited)]).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await Task.WhenAll(servers.Select(s => s.Process.StopAsync(Grace)));

            WriteSummary(outcome, children, clock.Elapsed, census);
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

        if (servers.FirstOrDefault(s => s.Process.Exited.IsCompleted && !s.Killed) is { } gone && !interrupt.IsCancellationRequested)
        {
            return (1, $"the {gone.Name} exited ({gone.Process.Exited.Result}) during the run; stopping. Its last lines:\n{gone.Process.Tail()}");
        }

        if (interrupt.IsCancellationRequested)
        {
            return (130, "interrupted: stopping the learners (each finishes its push in flight) and the parameter server");
        }

        return children.All(c => c.Exited.IsCompleted) ? (0, $"all {children.Count} learners finished; model version {_version}") : null;
    }

    private void OnLearnerLine(LearnerProgress learner, string line, StreamWriter pushes, StreamWriter evals, StreamWriter routes)
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
                        foreach (var kill in _kills.Where(k => k is { KilledAt: not null, RecoverySeconds: null }))
                        {
                            if (kill.Waiting.Remove(learner.Name) && kill.Waiting.Count == 0)
                            {
                                kill.RecoverySeconds = Math.Round(Seconds() - kill.KilledAt!.Value, 3);
                                log.WriteLine(kill.Describe());
                            }
                        }

                        break;
                    case "route":
                        routes.WriteLine(line);
                        _routeChanges++;
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
    /// server K of a cluster): the run's final counts.
    /// </summary>
    private async Task SaveFinalMetrics(List<ServerProcess> servers)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            for (var k = 0; k < servers.Count; k++)
            {
                if (servers[k].MetricsUrl is { } url && !servers[k].Process.Exited.IsCompleted)
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
        var faults = _kills.Count == 0 ? "" : " · " + string.Join(" · ", _kills.Select(k => k.Describe()));
        var table = new Table().Title($"{(options.Servers > 1 ? $"{options.Servers} parameter servers, {options.ShardCount} shards" : "parameter server")}: version {_version} · {elapsed.TotalSeconds:F0} s · {Directory}{faults}")
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
            var faults = string.Concat(_kills.Where(k => k.KilledAt is not null).Select(k => "  " + k.Describe()));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds,5:F0} s  version {_version}  {learners}{faults}"));
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

    private void WriteSummary((int ExitCode, string Message) outcome, List<ChildProcess> children, TimeSpan elapsed, ClusterCensus? census)
    {
        lock (_gate)
        {
            File.WriteAllText(Path.Combine(Directory, "summary.json"), JsonSerializer.Serialize(new
            {
                exitCode = outcome.ExitCode,
                outcome = outcome.Message,
                seconds = Math.Round(elapsed.TotalSeconds, 1),
                version = _version,
                servers = options.Servers,
                shards = options.Servers > 1 ? options.ShardCount : 1,
                kills = _kills.Select(k => new { server = k.Server, atSeconds = k.KilledAt, recoverySeconds = k.RecoverySeconds, restartedAtSeconds = k.RestartedAt }),
                lostUpdates = census?.LostUpdates,
                shardsPerServer = census?.ShardsPerServer,
                routeChanges = _routeChanges,
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

    /// <summary>A running parameter-server process; Killed when the run killed it on purpose.</summary>
    private sealed record ServerProcess(string Name, string Address, string? MetricsUrl, List<string> Args, ChildProcess Process)
    {
        public bool Killed { get; set; }
    }
}
