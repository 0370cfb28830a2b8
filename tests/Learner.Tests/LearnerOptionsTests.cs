using Microsoft.Extensions.Primitives;
using PsTraining.Hosting;
using PsTraining.Models.Speed;

namespace PsTraining.Learner.Tests;

/// <summary>The learner's options, each declared once on <see cref="LearnerOptions"/>: the flags and variables of before, their defaults, and what it derives from them.</summary>
public sealed class LearnerOptionsTests
{
    /// <summary>The learner's flags as they were when each was written out by hand, in their order: the launcher and the manifests use them.</summary>
    private static readonly string[] FlagsOfBefore =
    [
        "ps", "name", "model", "shard-index", "shard-count", "batch-size", "seed", "train-samples", "test-samples", "eval-every", "steps", "duration",
        "step-time", "speed", "jitter", "straggler", "slow", "start-at", "device", "threads", "retry-timeout", "separate-pull", "overlap",
        "stream-push-mb", "call-timeout", "write-initial-weights", "metrics-port", "listen", "auth-token", "auth-token-file",
    ];

    [Fact]
    public void Every_flag_and_variable_of_before_is_still_an_option()
    {
        var options = ProgramOption.Of<LearnerOptions>();
        Assert.Equal(FlagsOfBefore, options.Select(o => o.Name));
        Assert.All(options, o => Assert.Equal("PSTRAINING_" + o.Name.Replace('-', '_').ToUpperInvariant(), o.EnvironmentVariable));
    }

    [Fact]
    public void With_nothing_given_the_learner_takes_the_defaults_of_before()
    {
        var o = Bind([]);

        Assert.Equal([new Uri("http://127.0.0.1:50051")], o.Servers);
        Assert.Equal(("learner-1", "lenet5", 0, 1, 64, 1), (o.LearnerName, o.Model, o.ShardIndex, o.ShardCount, o.BatchSize, o.Seed));
        Assert.Equal((0, 1000, 50, 0L, TimeSpan.Zero), (o.TrainSamples, o.TestSamples, o.EvalEvery, o.Steps, o.Duration));
        Assert.Null(o.Speed); // as fast as it computes
        Assert.Null(o.StartAt);
        Assert.Equal((1, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), false, false), (o.Threads, o.RetryTimeout, o.CallTimeout, o.SeparatePull, o.Overlap));
        Assert.Equal(4_000_000L, o.StreamPushAboveFloats); // 16 MB
        Assert.Equal(((int?)0, false, (string?)null), (o.ServedMetricsPort, o.ListenOnAll, o.Token));
    }

    [Fact]
    public void Speed_servers_start_and_token_are_derived_from_their_options()
    {
        var token = Path.GetTempFileName();
        File.WriteAllText(token, " secret\n");
        try
        {
            var o = Bind(new()
            {
                ["ps"] = "http://a:1, http://b:2", ["step-time"] = "0.5", ["speed"] = "2.5", ["start-at"] = "1700000000000", ["auth-token-file"] = token,
                ["stream-push-mb"] = "0", ["metrics-port"] = "-1",
            });

            Assert.Equal([new Uri("http://a:1"), new Uri("http://b:2")], o.Servers);
            Assert.Equal(0.2m, Assert.IsType<ConstantSpeed>(o.Speed).Step);
            Assert.Same(o.Speed, o.Speed); // built once
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), o.StartAt);
            Assert.Equal(("secret", 0L, (int?)null), (o.Token, o.StreamPushAboveFloats, o.ServedMetricsPort));
        }
        finally
        {
            File.Delete(token);
        }
    }

    [Fact]
    public void Bad_options_are_all_named_at_once()
    {
        var layered = new LayeredOptions(ProgramOption.Of<LearnerOptions>(), null, new Dictionary<string, StringValues>
        {
            ["ps"] = "ftp://x,http://a:1,http://a:1", ["shard-index"] = "3", ["shard-count"] = "2", ["batch-size"] = "0", ["device"] = "tpu",
            ["auth-token"] = "t", ["auth-token-file"] = "f",
        });

        Assert.Null(layered.Bind<LearnerOptions>());
        Assert.Equal(
        [
            "--batch-size must be an integer in 1..65536, not '0'",
            "--ps must be http:// or https:// addresses separated by commas, and 'ftp://x' is not one",
            "--ps names a server twice: ftp://x,http://a:1,http://a:1",
            layered.Errors[3], // the device's own message
            "--shard-index must be in 0..1 (below --shard-count 2), not 3",
            "give --auth-token or --auth-token-file, not both",
        ], layered.Errors);
        Assert.StartsWith("--device: ", layered.Errors[3]);
    }

    private static LearnerOptions Bind(Dictionary<string, StringValues> given)
    {
        var layered = new LayeredOptions(ProgramOption.Of<LearnerOptions>(), null, given);
        var bound = layered.Bind<LearnerOptions>();
        Assert.Empty(layered.Errors);
        return bound!;
    }
}
