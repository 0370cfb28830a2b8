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
        CommandLineOptions.Create<ServerOptions>("PsTraining parameter server: holds the weights, applies pushed gradients under a consistency policy, records staleness.",
            RunAsync).Parse(args).InvokeAsync();

    private static async Task<int> RunAsync(ServerOptions options)
    {
        // Before anything is served: a SIGTERM that comes as soon as the server says it listens must find the handler.
        using var signals = new StopSignals();
        using var meter = MetricsExport.CreateMeter(MetricNames.ParameterServerMeter);
        var instruments = new PsInstruments(meter);
        BearerToken? token;
        ModelWeights initial;
        try
        {
            token = BearerToken.From(options.AuthToken, options.AuthTokenFile);
            initial = WeightsFile.Read(options.InitialWeights!);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        return await RunSiloAsync(options, initial, HostOptions(options, initial.Model, token), instruments, signals);
    }

    private static ServerHostOptions HostOptions(ServerOptions options, string model, BearerToken? token) => new()
    {
        Port = options.Port,
        LoopbackOnly = !options.ListenOnAll,
        CertificatePath = options.TlsCertificate,
        CertificatePassword = options.TlsCertificatePassword,
        Token = token,
        MaxReceiveMessageSize = options.MaxMessageBytes,
        MaxSendMessageSize = options.MaxMessageBytes,
        Model = model,
        Metrics = new MetricsOptions("pstraining-parameter-server", options.Instance ?? $"{Environment.MachineName}:{options.Port}", options.ServedMetricsPort, !options.ListenOnAll),
    };

    /// <summary>
    /// The server: an Orleans silo whose shard grains load their shards' cores here (from --checkpoint-dir, or the
    /// cluster's Redis with --checkpoint-redis: with several servers every one must be able to read them), and the gRPC
    /// front door to them; any server answers GetRoutes. With localhost clustering the process is a cluster of one: it
    /// places every shard on itself before it says it is ready, and its routes name no address (the one the learner
    /// called), so that it is reached by whatever name a learner was given.
    /// </summary>
    private static async Task<int> RunSiloAsync(ServerOptions options, ModelWeights initial, ServerHostOptions hostOptions, PsInstruments instruments, StopSignals signals)
    {
        var (cluster, core) = (options.Cluster, options.Core);
        var oneProcess = cluster.Redis is null;
        var partition = ParameterPartition.Of(initial.Layout, options.PartitionRange.Index, options.PartitionRange.Count);
        if (options.ShardCount > partition.Length)
        {
            Console.Error.WriteLine($"--cluster-shards: model {initial.Model} has {partition.Length} floats{(partition.Count > 1 ? $" in {partition}" : "")}; it cannot be cut into {options.ShardCount} shards");
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
        var shardModel = new ShardModel(initial.Model, partition.Layout, initial.Weights.AsSpan(partition.Start, partition.Length).ToArray(), options.ShardCount, core)
        {
            Checkpoints = options.CheckpointDirectory is { } dir ? ShardModel.InFolder(dir, options.KeepCheckpoints, options.ShardCount)
                : checkpointRedis is { } connection ? s => new RedisCheckpointStore(connection.GetDatabase(), $"pstraining:{cluster.ClusterId}:shard-{s}", options.KeepCheckpoints)
                : _ => null,
            CheckpointInterval = TimeSpan.FromSeconds(options.CheckpointInterval),
        };
        if (cluster.Kubernetes && !ShardSilo.InPod)
        {
            Console.WriteLine("--cluster kubernetes outside a pod (no KUBERNETES_SERVICE_HOST): Redis clustering without Orleans' Kubernetes hosting");
        }

        var served = ServedShards.ForSilo(options.ShardCount);
        await using var shardHost = new ShardHost(shardModel, served, instruments) { SoleSilo = oneProcess };
        instruments.ObserveShards(() => served.All.Select(s => (s.Key.Shard, s.Core)));
        var advertisedIp = options.ListenOnAll && !oneProcess ? AdvertisedIp() : null;
        ParameterServerHost host;
        try
        {
            host = await ParameterServerHost.StartAsync(served, services => new ClusterRoutes(services.GetRequiredService<IGrainFactory>(), shardModel), instruments,
                hostOptions, builder => ShardSilo.Configure(builder, cluster with { AdvertisedIp = advertisedIp, ReservedPorts = [options.Port, Math.Max(0, options.MetricsPort)] }, shardHost));
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
        var address = options.Advertise ?? (oneProcess ? "" : $"{scheme}://{advertisedIp?.ToString() ?? "127.0.0.1"}:{host.Port}");
        shardHost.SetAddress(address);
        if (oneProcess)
        {
            try
            {
                await host.Services.GetRequiredService<IRouteSource>().GetRoutesAsync(signals.Token);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
            {
                Console.Error.WriteLine(e.Message); // a checkpoint that does not fit the model, a folder it cannot read
                await host.DisposeAsync();
                return 2;
            }
        }

        served.MarkReady();
        var bound = options.ListenOnAll ? "0.0.0.0" : "127.0.0.1";
        // The metrics line comes first: whoever waits for "listening" has then seen both ports.
        if (host.MetricsPort is { } metricsPort)
        {
            Console.WriteLine($"metrics on http://{bound}:{metricsPort}{MetricsExport.Path}");
        }

        var clustering = oneProcess ? "a one-silo Orleans cluster with localhost clustering" : $"cluster member of '{cluster.ClusterId}' with Redis {cluster.Redis} clustering";
        Console.WriteLine($"parameter server listening on {(address.Length > 0 ? address : $"{scheme}://{bound}:{host.Port}")} ({clustering}; " +
                          $"model {initial.Model}{(partition.Count > 1 ? $", {partition}" : "")}, {partition.Length} floats in {options.ShardCount} shard{(options.ShardCount == 1 ? "" : "s")}, " +
                          $"policy {core.Policy}, {core.Optimizer.Kind} lr {core.LearningRate}{(hostOptions.Token is null ? "" : ", token required")}" +
                          (options.CheckpointRedis ? "; checkpoints in Redis" : options.CheckpointDirectory is null && !oneProcess ? "; no checkpoints: a failed-over shard starts again from the initial weights" : "") + ")");
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStop = signals.Token.Register(() => stop.TrySetResult());
        var statusInterval = TimeSpan.FromSeconds(options.StatusInterval);
        await PrintEvery(statusInterval, stop.Task, Status(served, statusInterval));
        Console.WriteLine("stopping: draining the calls in flight and handing the shards back");
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

    /// <summary>
    /// The status line: the version and pushes per second of each shard served here, with its generation when the model
    /// has several; for a model of one shard, each learner's staleness and loss as well.
    /// </summary>
    private static Func<string> Status(ServedShards served, TimeSpan interval)
    {
        var last = new Dictionary<ShardKey, ulong>();
        return () =>
        {
            var shards = served.All.Select(s => (s.Key, Stats: s.Core.Stats()))
                .Select(s => (s.Key, s.Stats, Rate: (s.Stats.Applied - last.GetValueOrDefault(s.Key)) / interval.TotalSeconds)).ToList();
            last = shards.ToDictionary(s => s.Key, s => s.Stats.Applied);
            if (shards.Count == 0)
            {
                return "no shards served here";
            }

            if (served.ModelShards == 1)
            {
                var (_, stats, rate) = shards[0];
                var learners = string.Join("  ", stats.Learners.Where(l => l.Live).Select(l =>
                    string.Create(CultureInfo.InvariantCulture, $"{l.Name}: staleness mean {l.MeanStaleness:F2} max {l.MaxStaleness} loss {l.LastLoss:F4}")));
                var lost = stats.Lost > 0 ? $"  lost {stats.Lost}" : "";
                return string.Create(CultureInfo.InvariantCulture, $"version {stats.Version}  {rate:F1} pushes/s  duplicates {stats.Duplicates}  rejected {stats.Rejected}{lost}  {learners}");
            }

            return string.Join("  ", shards.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"shard {s.Key.Shard} (gen {s.Key.Generation}): version {s.Stats.Version}, {s.Rate:F1} pushes/s{(s.Stats.Lost > 0 ? $", {s.Stats.Lost} lost" : "")}")));
        };
    }
}
