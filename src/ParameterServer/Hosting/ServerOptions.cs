using PsTraining.Hosting;
using PsTraining.ParameterServer.Cluster;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>The parameter-server host's options, from the command line, PSTRAINING_ variables or a JSON file.</summary>
public sealed record ServerOptions
{
    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("port", "gRPC port (HTTP/2: pstraining.v1.ParameterServer, grpc.health.v1.Health, server reflection); 0 picks a free one", "50051"),
        new("listen", "loopback (127.0.0.1 only) or any (all interfaces, for containers)", "loopback"),
        new("initial-weights", "safetensors file of the model's initial float32 parameters, in parameter order, that `models init --model NAME --seed S --out FILE` or a learner's --write-initial-weights writes"),
        new("partition", "K/N: this process (localhost clustering) holds range K (0-based) of the model split evenly over N server processes", "0/1"),
        new("shards", "ranges of the parameter vector, each with its own lock (1..1024)", "4"),
        new("policy", "consistency policy: asp, ssp:S or bsp", "asp"),
        new("learning-rate", "server learning rate η", "0.01"),
        new("optimizer", "server optimiser: sgd or adam", "sgd"),
        new("momentum", "SGD momentum in [0, 1)", "0"),
        new("weight-decay", "L2 weight decay >= 0", "0"),
        new("staleness-aware-lr", "scale η by 1/max(1, staleness) (Zhang et al. 2016)", "false", IsFlag: true),
        new("delay-compensation", "DC-ASGD λ >= 0 (0 = off); costs one copy of the weights per learner", "0"),
        new("heartbeat-timeout", "seconds without a call after which a learner stops holding SSP/BSP back", "30"),
        new("max-message-mb", "largest gRPC message accepted or sent, in MiB", "64"),
        new("auth-token", "bearer token every ParameterServer call must carry (health and reflection need none)"),
        new("auth-token-file", "file holding the bearer token (a Kubernetes Secret)"),
        new("tls-certificate", "PKCS#12 certificate file: serve TLS instead of plaintext h2c"),
        new("tls-certificate-password", "password of the TLS certificate"),
        new("status-interval", "seconds between status lines on stdout (0 = none)", "5"),
        new("metrics-port", "HTTP/1.1 port of GET /metrics (Prometheus text format); 0 picks a free one, -1 serves none", "9464"),
        new("instance", "service.instance.id of this process's metrics (default: the host name and the gRPC port)"),
        new("checkpoint-dir", "folder for checkpoints; the server resumes from the newest valid one there"),
        new("checkpoint-interval", "seconds between checkpoints (when the version changed)", "30"),
        new("keep-checkpoints", "how many checkpoints to keep", "3"),
        new("cluster", "localhost (this process is a one-silo Orleans cluster that holds every shard: nothing to install), redis (one of several servers; membership and shard state in --redis) or kubernetes (redis, with Orleans' Kubernetes hosting: the pod's POD_NAME, POD_NAMESPACE, POD_IP, ORLEANS_SERVICE_ID and ORLEANS_CLUSTER_ID)", "localhost"),
        new("redis", "host:port of the Redis server of a --cluster redis", "127.0.0.1:6379"),
        new("cluster-id", "the cluster's name: servers with the same --redis and --cluster-id form one cluster", "pstraining"),
        new("cluster-shards", "shards the model is cut into (every server of a cluster must give the same number; at least the number of servers); by default 1 with localhost clustering, where more shards only add calls to every push, and 8 with Redis"),
        new("silo-port", "Orleans silo-to-silo port of a cluster member; 0 picks a free one", "0"),
        new("checkpoint-redis", "keep a cluster's shard checkpoints in its Redis (--redis) instead of --checkpoint-dir: for servers that share no volume", "false", IsFlag: true),
        new("advertise", "the gRPC address a cluster member gives learners in the route table (default: http(s)://127.0.0.1:PORT on loopback, the host's address otherwise)"),
    ];

    public int Port { get; init; }

    public bool ListenOnAll { get; init; }

    /// <summary>The file the server seeds its weights from (the model's name travels in it).</summary>
    public required string InitialWeights { get; init; }

    /// <summary>Which range of the model this process holds, of how many server processes.</summary>
    public (int Index, int Count) Partition { get; init; } = (0, 1);

    public required CoreOptions Core { get; init; }

    public int MaxMessageBytes { get; init; }

    public string? AuthToken { get; init; }

    public string? AuthTokenFile { get; init; }

    public string? TlsCertificate { get; init; }

    public string? TlsCertificatePassword { get; init; }

    public TimeSpan StatusInterval { get; init; }

    /// <summary>The /metrics port; null serves none.</summary>
    public int? MetricsPort { get; init; }

    public string? Instance { get; init; }

    public string? CheckpointDirectory { get; init; }

    public TimeSpan CheckpointInterval { get; init; }

    public int KeepCheckpoints { get; init; }

    /// <summary>How this server's silo finds the others: localhost clustering (one process), or Redis.</summary>
    public required ShardClusterOptions Cluster { get; init; }

    public int ClusterShards { get; init; }

    public string? Advertise { get; init; }

    /// <summary>A cluster member keeps its shards' checkpoints in the cluster's Redis.</summary>
    public bool CheckpointRedis { get; init; }

    /// <summary>Binds and validates; every error names its option and the accepted range.</summary>
    public static (ServerOptions? Options, IReadOnlyList<string> Errors) Bind(LayeredOptions o)
    {
        ConsistencyPolicy policy = ConsistencyPolicy.Asp;
        try
        {
            policy = ConsistencyPolicy.Parse(o.String("policy")!);
        }
        catch (ArgumentException e)
        {
            o.Errors.Add($"--policy: {e.Message}");
        }

        var partition = (0, 1);
        try
        {
            partition = ParameterPartition.Parse(o.String("partition")!);
        }
        catch (ArgumentException e)
        {
            o.Errors.Add($"--partition: {e.Message}");
        }

        var core = new CoreOptions
        {
            Shards = o.Int("shards", 1, 1024),
            Policy = policy,
            LearningRate = (float)o.Double("learning-rate", 0, 1e6, minExclusive: true),
            Optimizer = new ServerOptimizerOptions
            {
                Kind = o.Choice("optimizer", "sgd", "adam"),
                Momentum = (float)o.Double("momentum", 0, 0.999999),
                WeightDecay = (float)o.Double("weight-decay", 0, 1e6),
            },
            StalenessAwareLearningRate = o.Flag("staleness-aware-lr"),
            DelayCompensation = (float)o.Double("delay-compensation", 0, 1e6),
            HeartbeatTimeout = TimeSpan.FromSeconds(o.Double("heartbeat-timeout", 0, 86400, minExclusive: true)),
        };
        var clustering = o.Choice("cluster", "localhost", "redis", "kubernetes");
        var options = new ServerOptions
        {
            Port = o.Int("port", 0, 65535),
            ListenOnAll = o.Choice("listen", "loopback", "any") == "any",
            InitialWeights = o.String("initial-weights") ?? "",
            Partition = partition,
            Core = core,
            MaxMessageBytes = o.Int("max-message-mb", 1, 2047) * 1024 * 1024,
            AuthToken = o.String("auth-token"),
            AuthTokenFile = o.String("auth-token-file"),
            TlsCertificate = o.String("tls-certificate"),
            TlsCertificatePassword = o.String("tls-certificate-password"),
            StatusInterval = TimeSpan.FromSeconds(o.Int("status-interval", 0, 86400)),
            MetricsPort = o.Int("metrics-port", -1, 65535) is >= 0 and var metrics ? metrics : null,
            Instance = o.String("instance"),
            CheckpointDirectory = o.String("checkpoint-dir"),
            CheckpointInterval = TimeSpan.FromSeconds(o.Double("checkpoint-interval", 0, 86400, minExclusive: true)),
            KeepCheckpoints = o.Int("keep-checkpoints", 1, 1000),
            Cluster = new ShardClusterOptions
            {
                Redis = clustering == "localhost" ? null : o.String("redis"),
                Kubernetes = clustering == "kubernetes",
                ClusterId = o.String("cluster-id")!,
                SiloPort = o.Int("silo-port", 0, 65535),
            },
            ClusterShards = o.String("cluster-shards") is null ? clustering == "localhost" ? 1 : 8 : o.Int("cluster-shards", 1, 1024),
            Advertise = o.String("advertise"),
            CheckpointRedis = o.Flag("checkpoint-redis"),
        };

        if (options.CheckpointRedis && options.Cluster.Redis is null)
        {
            o.Errors.Add("--checkpoint-redis: only a cluster member with Redis (--cluster redis or kubernetes) has a Redis to keep checkpoints in");
        }

        if (options.CheckpointRedis && options.CheckpointDirectory is not null)
        {
            o.Errors.Add("give --checkpoint-dir or --checkpoint-redis, not both");
        }

        if (options.Cluster.Redis is not null && partition.Item2 > 1)
        {
            o.Errors.Add("--partition: a cluster with Redis cuts the model into --cluster-shards itself; give --partition only with localhost clustering");
        }

        if (options.Advertise is { } advertise && !Uri.TryCreate(advertise, UriKind.Absolute, out _))
        {
            o.Errors.Add($"--advertise: '{advertise}' is not an absolute address such as http://ps-0.ps:50051");
        }

        if (options.InitialWeights.Length == 0)
        {
            o.Errors.Add("--initial-weights: give the model's initial weights, a file that `dotnet run --project src/Sim -- models init --model lenet5 --seed 1 --out lenet5.safetensors` writes");
        }
        else if (!File.Exists(options.InitialWeights))
        {
            o.Errors.Add($"--initial-weights: '{options.InitialWeights}' does not exist");
        }

        if (options.AuthToken is not null && options.AuthTokenFile is not null)
        {
            o.Errors.Add("give --auth-token or --auth-token-file, not both");
        }

        if (options.TlsCertificate is not null && !File.Exists(options.TlsCertificate))
        {
            o.Errors.Add($"--tls-certificate: '{options.TlsCertificate}' does not exist");
        }

        return o.Errors.Count == 0 ? (options, o.Errors) : (null, o.Errors);
    }
}
