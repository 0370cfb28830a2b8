using System.Globalization;
using PsTraining.Hosting;
using PsTraining.Hosting.Metrics;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Durability;
using PsTraining.ParameterServer.Hosting;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer;

/// <summary>The parameter-server process: options, the initial model, Kestrel, status lines, and a clean stop on SIGTERM or Ctrl-C.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLineOptions.Create("PsTraining parameter server: holds the weights, applies pushed gradients under a consistency policy, records staleness.",
            ServerOptions.Specs, layered => CommandLineOptions.RunBound(ServerOptions.Bind(layered), RunAsync)).Parse(args).InvokeAsync();

    private static async Task<int> RunAsync(ServerOptions options)
    {
        // Before anything is served: a SIGTERM that comes as soon as the server says it listens must find the handler.
        using var signals = new StopSignals();
        using var meter = MetricsExport.CreateMeter(MetricNames.ParameterServerMeter);
        var instruments = new PsInstruments(meter);
        ParameterServerCore core;
        ParameterPartition partition;
        BearerToken? token;
        CheckpointStore? store = null;
        try
        {
            token = BearerToken.From(options.AuthToken, options.AuthTokenFile);
            var (model, weights) = InitialModel.Build(options.Model, options.Seed);
            partition = ParameterPartition.Of(model, options.Partition.Index, options.Partition.Count);
            core = new ParameterServerCore(partition.Layout, weights.AsSpan(partition.Start, partition.Length).ToArray(), options.Core, instruments: instruments);
            if (options.CheckpointDirectory is { } dir)
            {
                store = new CheckpointStore(dir, options.KeepCheckpoints);
                core = Resume(store, options, core, instruments);
            }
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or IOException or System.Runtime.InteropServices.ExternalException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        using (core)
        {
            instruments.Observe(core);
            var host = await ParameterServerHost.StartAsync(core, instruments, new ServerHostOptions
            {
                Port = options.Port,
                LoopbackOnly = !options.ListenOnAll,
                CertificatePath = options.TlsCertificate,
                CertificatePassword = options.TlsCertificatePassword,
                Token = token,
                MaxReceiveMessageSize = options.MaxMessageBytes,
                MaxSendMessageSize = options.MaxMessageBytes,
                Metrics = new MetricsOptions("pstraining-parameter-server", options.Instance ?? $"{Environment.MachineName}:{options.Port}", options.MetricsPort, !options.ListenOnAll),
            });

            // The metrics line comes first: whoever waits for "listening" has then seen both ports.
            var bound = options.ListenOnAll ? "0.0.0.0" : "127.0.0.1";
            if (host.MetricsPort is { } metricsPort)
            {
                Console.WriteLine($"metrics on http://{bound}:{metricsPort}{MetricsExport.Path}");
            }

            var scheme = options.TlsCertificate is null ? "http" : "https";
            Console.WriteLine($"parameter server listening on {scheme}://{bound}:{host.Port} " +
                              $"(model {options.Model}{(partition.Count > 1 ? $", {partition}" : "")}, {core.Layout.TotalLength} floats in {core.ShardCount} shards, policy {options.Core.Policy}, " +
                              $"{options.Core.Optimizer.Kind} lr {options.Core.LearningRate}{(token is null ? "" : ", token required")})");

            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var onStop = signals.Token.Register(() => stop.TrySetResult());
            using var stopCheckpoints = new CancellationTokenSource();
            var checkpointer = store is null ? null : new Checkpointer(core, store, options.Model, options.CheckpointInterval);
            var checkpoints = checkpointer?.RunAsync(stopCheckpoints.Token) ?? Task.CompletedTask;

            await ReportUntil(stop.Task, core, options.StatusInterval);

            Console.WriteLine($"stopping: draining calls in flight (version {core.Version})");
            await host.DisposeAsync();
            stopCheckpoints.Cancel();
            await checkpoints;
            if (checkpointer?.Save() is { } final)
            {
                Console.WriteLine($"final checkpoint {final} at version {core.Version}");
            }

            Console.WriteLine($"stopped at version {core.Version}");
        }

        return 0;
    }

    /// <summary>Continues from the newest checkpoint that verifies, if any, and says how many updates the last stop lost.</summary>
    private static ParameterServerCore Resume(CheckpointStore store, ServerOptions options, ParameterServerCore fresh, PsInstruments instruments)
    {
        var skipped = new List<string>();
        var newest = store.LoadNewest(skipped);
        foreach (var reason in skipped)
        {
            Console.WriteLine($"skipping checkpoint: {reason}");
        }

        if (newest is not { } found)
        {
            Console.WriteLine($"no checkpoint in {store.Directory}: starting from model {options.Model} (seed {options.Seed})");
            return fresh;
        }

        var expected = fresh.Layout.Tensors.Select(t => (t.Name, string.Join(",", t.Shape)));
        if (found.Model != options.Model || !found.Layout.Select(t => (t.Name, string.Join(",", t.Shape))).SequenceEqual(expected))
        {
            throw new ArgumentException($"{found.Path} holds model '{found.Model}' ({string.Join(", ", found.Layout.Select(t => t.Name))}), which does not match " +
                                        $"--model {options.Model} --partition {options.Partition.Index}/{options.Partition.Count}; use another --checkpoint-dir");
        }

        var restored = ParameterServerCore.Restore(fresh.Layout, found.State, options.Core, instruments: instruments);
        fresh.Dispose();
        var highWater = store.ReadHighWater() ?? found.State.Version;
        var lost = highWater > found.State.Version ? highWater - found.State.Version : 0;
        Console.WriteLine($"resumed from {found.Path} at version {found.State.Version}; {lost} update(s) lost (the server had reached version {Math.Max(highWater, found.State.Version)})");
        return restored;
    }

    /// <summary>A status line per interval: version, pushes per second, and each learner's staleness and loss.</summary>
    private static async Task ReportUntil(Task stop, ParameterServerCore core, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            await stop;
            return;
        }

        var lastApplied = 0UL;
        while (await Task.WhenAny(stop, Task.Delay(interval)) != stop)
        {
            var s = core.Stats();
            var rate = (s.Applied - lastApplied) / interval.TotalSeconds;
            lastApplied = s.Applied;
            var learners = string.Join("  ", s.Learners.Where(l => l.Live).Select(l =>
                string.Create(CultureInfo.InvariantCulture, $"{l.Name}: staleness mean {l.MeanStaleness:F2} max {l.MaxStaleness} loss {l.LastLoss:F4}")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"version {s.Version}  {rate:F1} pushes/s  duplicates {s.Duplicates}  rejected {s.Rejected}  {learners}"));
        }
    }
}
