using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Cluster;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>
/// The parameter-server host's options, from the command line, PSTRAINING_ variables or a JSON file: each declared
/// once, by its property (<see cref="ProgramOption"/>); what the server derives from them follows.
/// </summary>
public sealed record ServerOptions : IValidatableObject
{
    [Description("gRPC port (HTTP/2: pstraining.v1.ParameterServer, grpc.health.v1.Health, server reflection); 0 picks a free one"), Range(0, 65535)]
    public int Port { get; init; } = 50051;

    [Description("loopback (127.0.0.1 only) or any (all interfaces, for containers)"), AllowedValues("loopback", "any")]
    public string Listen { get; init; } = "loopback";

    [Description("safetensors file of the model's initial float32 parameters, in parameter order, that `models init --model NAME --seed S --out FILE` or a learner's --write-initial-weights writes")]
    public string? InitialWeights { get; init; }

    [Description("K/N: this process (localhost clustering) holds range K (0-based) of the model split evenly over N server processes")]
    public string Partition { get; init; } = "0/1";

    [Description("ranges of the parameter vector, each with its own lock"), Range(1, 1024)]
    public int Shards { get; init; } = 4;

    [Description("consistency policy"), ConsistencyPolicyText]
    public string Policy { get; init; } = "asp";

    [Description("server learning rate η"), Range(0, 1e6, MinimumIsExclusive = true)]
    public double LearningRate { get; init; } = 0.01;

    [Description("server optimiser"), AllowedValues("sgd", "adam")]
    public string Optimizer { get; init; } = "sgd";

    [Description("SGD momentum"), Range(0, 1, MaximumIsExclusive = true)]
    public double Momentum { get; init; }

    [Description("L2 weight decay"), Range(0, 1e6)]
    public double WeightDecay { get; init; }

    [Description("scale η by 1/max(1, staleness) (Zhang et al. 2016)"), Display(Name = "staleness-aware-lr")]
    public bool StalenessAwareLearningRate { get; init; }

    [Description("DC-ASGD λ (0 = off); costs one copy of the weights per learner"), Range(0, 1e6)]
    public double DelayCompensation { get; init; }

    [Description("seconds without a call after which a learner stops holding SSP/BSP back"), Range(0, 86400, MinimumIsExclusive = true)]
    public double HeartbeatTimeout { get; init; } = 30;

    [Description("largest gRPC message accepted or sent, in MiB"), Range(1, 2047)]
    public int MaxMessageMb { get; init; } = 64;

    [Description("bearer token every ParameterServer call must carry (health and reflection need none)")]
    public string? AuthToken { get; init; }

    [Description("file holding the bearer token (a Kubernetes Secret)")]
    public string? AuthTokenFile { get; init; }

    [Description("PKCS#12 certificate file: serve TLS instead of plaintext h2c")]
    public string? TlsCertificate { get; init; }

    [Description("password of the TLS certificate")]
    public string? TlsCertificatePassword { get; init; }

    [Description("seconds between status lines on stdout (0 = none)"), Range(0, 86400)]
    public int StatusInterval { get; init; } = 5;

    [Description("HTTP/1.1 port of GET /metrics (Prometheus text format); 0 picks a free one, -1 serves none"), Range(-1, 65535)]
    public int MetricsPort { get; init; } = 9464;

    [Description("service.instance.id of this process's metrics (default: the host name and the gRPC port)")]
    public string? Instance { get; init; }

    [Description("folder for checkpoints; the server resumes from the newest valid one there"), Display(Name = "checkpoint-dir")]
    public string? CheckpointDirectory { get; init; }

    [Description("seconds between checkpoints (when the version changed)"), Range(0, 86400, MinimumIsExclusive = true)]
    public double CheckpointInterval { get; init; } = 30;

    [Description("how many checkpoints to keep"), Range(1, 1000)]
    public int KeepCheckpoints { get; init; } = 3;

    [Description("localhost (this process is a one-silo Orleans cluster that holds every shard: nothing to install), redis (one of several servers; membership and shard state in --redis) or kubernetes (redis, with Orleans' Kubernetes hosting: the pod's POD_NAME, POD_NAMESPACE, POD_IP, ORLEANS_SERVICE_ID and ORLEANS_CLUSTER_ID)"),
     Display(Name = "cluster"), AllowedValues("localhost", "redis", "kubernetes")]
    public string Clustering { get; init; } = "localhost";

    [Description("host:port of the Redis server of a --cluster redis")]
    public string Redis { get; init; } = "127.0.0.1:6379";

    [Description("the cluster's name: servers with the same --redis and --cluster-id form one cluster")]
    public string ClusterId { get; init; } = "pstraining";

    [Description("shards the model is cut into (every server of a cluster must give the same number; at least the number of servers); by default 1 with localhost clustering, where more shards only add calls to every push, and 8 with Redis"),
     Range(1, 1024)]
    public int? ClusterShards { get; init; }

    [Description("Orleans silo-to-silo port of a cluster member; 0 picks a free one"), Range(0, 65535)]
    public int SiloPort { get; init; }

    [Description("keep a cluster's shard checkpoints in its Redis (--redis) instead of --checkpoint-dir: for servers that share no volume")]
    public bool CheckpointRedis { get; init; }

    [Description("the gRPC address a cluster member gives learners in the route table (default: http(s)://127.0.0.1:PORT on loopback, the host's address otherwise)")]
    public string? Advertise { get; init; }

    public bool ListenOnAll => Listen == "any";

    public int MaxMessageBytes => MaxMessageMb * 1024 * 1024;

    /// <summary>The /metrics port; null serves none.</summary>
    public int? ServedMetricsPort => MetricsPort >= 0 ? MetricsPort : null;

    /// <summary>Which range of the model this process holds, of how many server processes.</summary>
    public (int Index, int Count) PartitionRange => ParameterPartition.Parse(Partition);

    /// <summary>The shards the model is cut into: --cluster-shards, or its default for the clustering.</summary>
    public int ShardCount => ClusterShards ?? (Clustering == "localhost" ? 1 : 8);

    public CoreOptions Core => new()
    {
        Shards = Shards,
        Policy = ConsistencyPolicy.Parse(Policy),
        LearningRate = (float)LearningRate,
        Optimizer = new ServerOptimizerOptions { Kind = Optimizer, Momentum = (float)Momentum, WeightDecay = (float)WeightDecay },
        StalenessAwareLearningRate = StalenessAwareLearningRate,
        DelayCompensation = (float)DelayCompensation,
        HeartbeatTimeout = TimeSpan.FromSeconds(HeartbeatTimeout),
    };

    /// <summary>How this server's silo finds the others: localhost clustering (one process), or Redis.</summary>
    public ShardClusterOptions Cluster => new()
    {
        Redis = Clustering == "localhost" ? null : Redis,
        Kubernetes = Clustering == "kubernetes",
        ClusterId = ClusterId,
        SiloPort = SiloPort,
    };

    /// <summary>The checks between options, and of what the options name (files, addresses); each names its option.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        var partition = (Index: 0, Count: 1);
        if (OptionErrors.Of("partition", () => partition = ParameterPartition.Parse(Partition)) is { } badPartition)
        {
            errors.Add(badPartition);
        }

        if (CheckpointRedis && Clustering == "localhost")
        {
            errors.Add("--checkpoint-redis: only a cluster member with Redis (--cluster redis or kubernetes) has a Redis to keep checkpoints in");
        }

        if (CheckpointRedis && CheckpointDirectory is not null)
        {
            errors.Add("give --checkpoint-dir or --checkpoint-redis, not both");
        }

        if (Clustering != "localhost" && partition.Count > 1)
        {
            errors.Add("--partition: a cluster with Redis cuts the model into --cluster-shards itself; give --partition only with localhost clustering");
        }

        if (Advertise is { } advertise && !Uri.TryCreate(advertise, UriKind.Absolute, out _))
        {
            errors.Add($"--advertise: '{advertise}' is not an absolute address such as http://ps-0.ps:50051");
        }

        if (string.IsNullOrEmpty(InitialWeights))
        {
            errors.Add("--initial-weights: give the model's initial weights, a file that `dotnet run --project src/Sim -- models init --model lenet5 --seed 1 --out lenet5.safetensors` writes");
        }
        else if (!File.Exists(InitialWeights))
        {
            errors.Add($"--initial-weights: '{InitialWeights}' does not exist");
        }

        if (AuthToken is not null && AuthTokenFile is not null)
        {
            errors.Add("give --auth-token or --auth-token-file, not both");
        }

        if (TlsCertificate is not null && !File.Exists(TlsCertificate))
        {
            errors.Add($"--tls-certificate: '{TlsCertificate}' does not exist");
        }

        return errors.Select(e => new ValidationResult(e));
    }
}
