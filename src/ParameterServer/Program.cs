using System.Globalization;
using PsTraining.Hosting;
using PsTraining.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PsTraining.ParameterServer.Cluster;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Routing;
using PsTraining.Protocol.Routing;
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
        BearerToken? token;
        ParameterLayout model;
        float[] weights;
        try
        {
            token = BearerToken.From(options.AuthToken, options.AuthTokenFile);
            (model, weights) = InitialModel.Build(options.Model, options.Seed);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or IOException or System.Runtime.InteropServices.ExternalException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        return options.Cluster is { } cluster
            ? await RunClusterMemberAsync(options, cluster, model, weights, HostOptions(options, token), instruments, signals)
            : await RunLoneAsync(options, model, weights, HostOptions(options, token), instruments, signals);
    }

    private static ServerHostOptions HostOptions(ServerOptions options, BearerToken? token) => new()
    {
        Port = options.Port,
        LoopbackOnly = !options.ListenOnAll,
        CertificatePath = options.TlsCertificate,
        CertificatePassword = options.TlsCertificatePassword,
        Token = token,
        MaxReceiveMessageSize = options.MaxMessageBytes,
        MaxSendMessageSize = options.MaxMessageBytes,
        Model = options.Model,
        Metrics = new MetricsOptions("pstraining-parameter-server", options.Instance ?? $"{Environment.MachineName}:{options.Port}", options.MetricsPort, !options.ListenOnAll),
    };

    /// <summary>A lone server: one core (the model, or its --partition), resumed from --checkpoint-dir.</summary>
    private static async Task<int> RunLoneAsync(ServerOptions options, ParameterLayout model, float[] weights, ServerHostOptions hostOptions, PsInstruments instruments,
        StopSignals signals)
    {
        ParameterServerCore core;
        ParameterPartition partition;
        CheckpointStore? store = null;
        try
        {
            partition = ParameterPartition.Of(model, options.Partition.Index, options.Partition.Count);
            core = new ParameterServerCore(partition.Layout, weights.AsSpan(partition.Start, partition.Length).ToArray(), options.Core, instruments: instruments);
            if (options.CheckpointDirectory is { } dir)
            {
                store = new CheckpointStore(dir, options.KeepCheckpoints);
                var what = options.Partition.Count > 1 ? $"partition {options.Partition.Index}/{options.Partition.Count}" : "the server";
                core = CheckpointResume.Resume(store, options.Model, what, core, options.Core, instruments, Console.WriteLine);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        using (core)
        {
            instruments.Observe(core);
            ParameterServerHost host;
            try
            {
                host = await ParameterServerHost.StartAsync(core, instruments, hostOptions);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine(CannotListen(e));
                return 2;
            }

            // The metrics line comes first: whoever waits for "listening" has then seen both ports.
            var bound = options.ListenOnAll ? "0.0.0.0" : "127.0.0.1";
            if (host.MetricsPort is { } metricsPort)
            {
                Console.WriteLine($"metrics on http://{bound}:{metricsPort}{MetricsExport.Path}");
            }

            var scheme = options.TlsCertificate is null ? "http" : "https";
            Console.WriteLine($"parameter server listening on {scheme}://{bound}:{host.Port} " +
                              $"(model {options.Model}{(partition.Count > 1 ? $", {partition}" : "")}, {core.Layout.TotalLength} floats in {core.ShardCount} shards, policy {options.Core.Policy}, " +
                              $"{options.Core.Optimizer.Kind} lr {options.Core.LearningRate}{(hostOptions.Token is null ? "" : ", token required")})");

            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var onStop = signals.Token.Register(() => stop.TrySetResult());
            using var stopCheckpoints = new CancellationTokenSource();
            var checkpointer = store is null ? null : new Checkpointer(core, store, options.Model, options.CheckpointInterval);
            var checkpoints = checkpointer?.RunAsync(stopCheckpoints.Token) ?? Task.CompletedTask;

            await PrintEvery(options.StatusInterval, stop.Task, CoreStatus(core, options.StatusInterval));

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

    /// <summary>
    /// A cluster member: an Orleans silo whose shard grains load their shards' cores here (from --checkpoint-dir, or the
    /// cluster's Redis with --checkpoint-redis: every member must be able to read them), and the gRPC front door to them;
    /// any member answers GetRoutes.
    /// </summary>
    private static async Task<int> RunClusterMemberAsync(ServerOptions options, ShardClusterOptions cluster, ParameterLayout model, float[] weights,
        ServerHostOptions hostOptions, PsInstruments instruments, StopSignals signals)
    {
        if (options.ClusterShards > model.TotalLength)
        {
            Console.Error.WriteLine($"--cluster-shards: model {options.Model} has {model.TotalLength} floats; it cannot be cut into {options.ClusterShards} shards");
            return 2;
        }

        StackExchange.Redis.ConnectionMultiplexer? checkpointRedis = null;
        if (options.CheckpointRedis)
        {
            try
            {
                checkpointRedis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(ShardSilo.RedisOptions(cluster.Redis!));
            }
            catch (StackExchange.Redis.RedisConnectionException e)
            {
                Console.Error.WriteLine($"cannot reach Redis at {cluster.Redis} (--redis), which holds the cluster's checkpoints (--checkpoint-redis): {e.Message}");
                return 2;
            }
        }

        using var closeRedis = checkpointRedis;
        var shardModel = new ShardModel(options.Model, model, weights, options.ClusterShards, options.Core)
        {
            Checkpoints = options.CheckpointDirectory is { } dir ? ShardModel.InFolder(dir, options.KeepCheckpoints)
                : checkpointRedis is { } connection ? s => new RedisCheckpointStore(connection.GetDatabase(), $"pstraining:{cluster.ClusterId}:shard-{s}", options.KeepCheckpoints)
                : _ => null,
            CheckpointInterval = options.CheckpointInterval,
        };
        if (cluster.Kubernetes && !ShardSilo.InPod)
        {
            Console.WriteLine("--cluster kubernetes outside a pod (no KUBERNETES_SERVICE_HOST): Redis clustering without Orleans' Kubernetes hosting");
        }

        var served = ServedShards.ForCluster();
        await using var shardHost = new ShardHost(shardModel, served, instruments);
        instruments.ObserveShards(() => served.All.Select(s => (s.Key.Shard, s.Core)));
        var advertisedIp = options.ListenOnAll ? AdvertisedIp() : null;
        ParameterServerHost host;
        try
        {
            host = await ParameterServerHost.StartAsync(served, services => new ClusterRoutes(services.GetRequiredService<IGrainFactory>(), shardModel), instruments,
                hostOptions, builder => ShardSilo.Configure(builder, cluster with { AdvertisedIp = advertisedIp, ReservedPorts = [options.Port, options.MetricsPort ?? 0] }, shardHost));
        }
        catch (Exception e) when (cluster.Redis is { } redis && Find<StackExchange.Redis.RedisConnectionException>(e) is { } unreachable)
        {
            Console.Error.WriteLine($"cannot reach Redis at {redis} (--redis), which holds the cluster's membership: {unreachable.Message}");
            return 2;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine(CannotListen(e));
            return 2;
        }

        var scheme = options.TlsCertificate is null ? "http" : "https";
        var address = options.Advertise ?? $"{scheme}://{advertisedIp?.ToString() ?? "127.0.0.1"}:{host.Port}";
        shardHost.SetAddress(address);
        if (host.MetricsPort is { } metricsPort)
        {
            Console.WriteLine($"metrics on http://{(options.ListenOnAll ? "0.0.0.0" : "127.0.0.1")}:{metricsPort}{MetricsExport.Path}");
        }

        Console.WriteLine($"parameter server listening on {address} (cluster member of '{cluster.ClusterId}' with {(cluster.Redis is null ? "localhost" : $"Redis {cluster.Redis}")} " +
                          $"clustering; model {options.Model}, {model.TotalLength} floats in {options.ClusterShards} shards, policy {options.Core.Policy}, " +
                          $"{options.Core.Optimizer.Kind} lr {options.Core.LearningRate}{(hostOptions.Token is null ? "" : ", token required")}" +
                          (options.CheckpointRedis ? "; checkpoints in Redis" : options.CheckpointDirectory is null ? "; no checkpoints: a failed-over shard starts again from the initial weights" : "") + ")");
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStop = signals.Token.Register(() => stop.TrySetResult());
        await PrintEvery(options.StatusInterval, stop.Task, ShardsStatus(served, options.StatusInterval));
        Console.WriteLine("stopping: handing the shards back");
        await host.DisposeAsync();
        Console.WriteLine("stopped");
        return 0;
    }

    /// <summary>Kestrel's bind failure (a port in use, an address not here), said with the options that choose it.</summary>
    private static string CannotListen(IOException e) => $"cannot serve: {e.Message} (choose another --port or --metrics-port)";

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException { InnerExceptions: var inner } && inner.Select(Find<T>).FirstOrDefault(x => x is not null) is { } nested)
            {
                return nested;
            }
        }

        return null;
    }

    /// <summary>The address a member listening on every interface gives its peers: POD_IP in Kubernetes, else the host's first IPv4 address.</summary>
    private static System.Net.IPAddress AdvertisedIp() =>
        Environment.GetEnvironmentVariable("POD_IP") is { } pod && System.Net.IPAddress.TryParse(pod, out var ip)
            ? ip
            : System.Net.Dns.GetHostAddresses(System.Net.Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? System.Net.IPAddress.Loopback;

    /// <summary>Prints <paramref name="line"/>() every <paramref name="interval"/> until <paramref name="stop"/>; nothing when the interval is 0.</summary>
    private static async Task PrintEvery(TimeSpan interval, Task stop, Func<string> line)
    {
        if (interval <= TimeSpan.Zero)
        {
            await stop;
            return;
        }

        while (await Task.WhenAny(stop, Task.Delay(interval)) != stop)
        {
            Console.WriteLine(line());
        }
    }

    /// <summary>A lone server's status line: version, pushes per second, and each learner's staleness and loss.</summary>
    private static Func<string> CoreStatus(ParameterServerCore core, TimeSpan interval)
    {
        var lastApplied = 0UL;
        return () =>
        {
            var s = core.Stats();
            var rate = (s.Applied - lastApplied) / interval.TotalSeconds;
            lastApplied = s.Applied;
            var learners = string.Join("  ", s.Learners.Where(l => l.Live).Select(l =>
                string.Create(CultureInfo.InvariantCulture, $"{l.Name}: staleness mean {l.MeanStaleness:F2} max {l.MaxStaleness} loss {l.LastLoss:F4}")));
            return string.Create(CultureInfo.InvariantCulture, $"version {s.Version}  {rate:F1} pushes/s  duplicates {s.Duplicates}  rejected {s.Rejected}  {learners}");
        };
    }

    /// <summary>A cluster member's status line: the shards served here, each with its generation, version and pushes per second.</summary>
    private static Func<string> ShardsStatus(ServedShards served, TimeSpan interval)
    {
        var last = new Dictionary<ShardKey, ulong>();
        return () =>
        {
            var shards = served.All.Select(s => (s.Key, Stats: s.Core.Stats())).ToList();
            var parts = shards.Select(s =>
            {
                var rate = (s.Stats.Applied - last.GetValueOrDefault(s.Key)) / interval.TotalSeconds;
                var lost = s.Stats.Lost > 0 ? $", {s.Stats.Lost} lost" : "";
                return string.Create(CultureInfo.InvariantCulture, $"shard {s.Key.Shard} (gen {s.Key.Generation}): version {s.Stats.Version}, {rate:F1} pushes/s{lost}");
            }).ToList();
            last = shards.ToDictionary(s => s.Key, s => s.Stats.Applied);
            return shards.Count == 0 ? "no shards served here" : string.Join("  ", parts);
        };
    }
}
