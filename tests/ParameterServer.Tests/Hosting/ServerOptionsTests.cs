using Microsoft.Extensions.Primitives;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Hosting;
using PsTraining.TestSupport;

namespace PsTraining.ParameterServer.Tests.Hosting;

/// <summary>The server's options, each declared once on <see cref="ServerOptions"/>: the flags and variables of before, and their defaults.</summary>
public sealed class ServerOptionsTests
{
    /// <summary>The server's flags as they were when each was written out by hand, in their order: scripts and manifests use them.</summary>
    private static readonly string[] FlagsOfBefore =
    [
        "port", "listen", "initial-weights", "partition", "shards", "policy", "learning-rate", "optimizer", "momentum", "weight-decay",
        "staleness-aware-lr", "delay-compensation", "heartbeat-timeout", "max-message-mb", "auth-token", "auth-token-file", "tls-certificate",
        "tls-certificate-password", "status-interval", "metrics-port", "instance", "checkpoint-dir", "checkpoint-interval", "keep-checkpoints",
        "cluster", "redis", "cluster-id", "cluster-shards", "silo-port", "checkpoint-redis", "advertise",
    ];

    [Fact]
    public void Every_flag_and_variable_of_before_is_still_an_option()
    {
        var options = ProgramOption.Of<ServerOptions>();
        Assert.Equal(FlagsOfBefore, options.Select(o => o.Name));
        Assert.Equal("PSTRAINING_STALENESS_AWARE_LR", options.Single(o => o.Name == "staleness-aware-lr").EnvironmentVariable);
        Assert.All(options, o => Assert.Equal("PSTRAINING_" + o.Name.Replace('-', '_').ToUpperInvariant(), o.EnvironmentVariable));
    }

    [Fact]
    public void Given_only_its_weights_the_server_takes_the_defaults_of_before()
    {
        var layered = new LayeredOptions(ProgramOption.Of<ServerOptions>(), null, new Dictionary<string, StringValues> { ["initial-weights"] = TestWeights.File("lenet5") });
        var o = layered.Bind<ServerOptions>();

        Assert.Empty(layered.Errors);
        Assert.NotNull(o);
        Assert.Equal((50051, false, (0, 1), 64 * 1024 * 1024, (int?)9464, 1), (o.Port, o.ListenOnAll, o.PartitionRange, o.MaxMessageBytes, o.ServedMetricsPort, o.ShardCount));
        var core = o.Core;
        Assert.Equal((4, ConsistencyPolicy.Asp, 0.01f, "sgd", 0f, 0f, false, 0f, TimeSpan.FromSeconds(30)),
            (core.Shards, core.Policy, core.LearningRate, core.Optimizer.Kind, core.Optimizer.Momentum, core.Optimizer.WeightDecay, core.StalenessAwareLearningRate,
                core.DelayCompensation, core.HeartbeatTimeout));
        Assert.Equal((null, false, "pstraining", 0), (o.Cluster.Redis, o.Cluster.Kubernetes, o.Cluster.ClusterId, o.Cluster.SiloPort));
        Assert.Equal((5, 30.0, 3), (o.StatusInterval, o.CheckpointInterval, o.KeepCheckpoints));
    }

    [Fact]
    public void A_policy_the_core_cannot_parse_is_refused_with_what_it_accepts()
    {
        var layered = new LayeredOptions(ProgramOption.Of<ServerOptions>(), null,
            new Dictionary<string, StringValues> { ["initial-weights"] = TestWeights.File("lenet5"), ["policy"] = "ssp:-1" });

        Assert.Null(layered.Bind<ServerOptions>());
        Assert.Equal(["--policy must be asp, ssp:S (S >= 0) or bsp, not 'ssp:-1'"], layered.Errors);
        Assert.Equal(ConsistencyPolicy.Ssp(2), new LayeredOptions(ProgramOption.Of<ServerOptions>(), null,
            new Dictionary<string, StringValues> { ["initial-weights"] = TestWeights.File("lenet5"), ["policy"] = "SSP:2" }).Bind<ServerOptions>()!.Core.Policy);
    }

    [Fact]
    public void A_cluster_with_redis_takes_its_address_and_eight_shards_by_default()
    {
        var layered = new LayeredOptions(ProgramOption.Of<ServerOptions>(), null,
            new Dictionary<string, StringValues> { ["initial-weights"] = TestWeights.File("lenet5"), ["cluster"] = "kubernetes", ["metrics-port"] = "-1" });
        var o = layered.Bind<ServerOptions>()!;

        Assert.Equal(("127.0.0.1:6379", true, 8, (int?)null), (o.Cluster.Redis, o.Cluster.Kubernetes, o.ShardCount, o.ServedMetricsPort));
    }
}
