using PsTraining.Models.Speed;
using PsTraining.Hosting;
using PsTraining.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Learner;

/// <summary>The learner process's options, from the command line, PSTRAINING_ variables or a JSON file.</summary>
public sealed record LearnerOptions
{
    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("ps", "parameter-server address, e.g. http://127.0.0.1:50051; for a model sharded over N server processes, their N addresses in partition order, comma-separated", "http://127.0.0.1:50051"),
        new("name", "this learner's name in logs and statistics (default learner-K)"),
        new("model", "model by registry name; must match the server's", "lenet5"),
        new("shard-index", "this learner's data shard k (0-based) of --shard-count", "0"),
        new("shard-count", "learners sharing the training set", "1"),
        new("batch-size", "minibatch per gradient", "64"),
        new("seed", "seed of the data order (the same on every learner, so the shards are disjoint)", "1"),
        new("train-samples", "training images used (from the start of the set; 0 = all 60,000)", "0"),
        new("test-samples", "held-out images per evaluation (0 = no evaluation)", "1000"),
        new("eval-every", "evaluate every this many steps", "50"),
        new("steps", "gradients to push before stopping (0 = until --duration)", "0"),
        new("duration", "seconds to run before stopping (0 = until --steps)", "0"),
        new("step-time", "wall seconds per gradient at speed 1; compute is padded with waiting (0 = as fast as it computes)", "0"),
        new("speed", "relative speed factor: a step takes step-time/speed (step-time 0.1 when not given)", "1"),
        new("jitter", "lognormal jitter σ of each step's time (0 = none)", "0"),
        new("straggler", "EVERY:PAUSE: every EVERY-th gradient takes PAUSE seconds longer"),
        new("slow", "FROM:TO:FACTOR: gradients starting in [FROM, TO) seconds take FACTOR times as long"),
        new("start-at", "Unix time in milliseconds at which the step clock starts (the launcher starts all learners together)", "0"),
        new("device", "cpu, cuda or cuda:N; auto picks CUDA when available", "auto"),
        new("threads", "libtorch threads for this learner (0 = libtorch's default)", "1"),
        new("retry-timeout", "seconds to keep retrying an unreachable parameter server before giving up", "60"),
        new("separate-pull", "pull with a call of its own before each step, instead of taking the weights from the previous push's response (two round trips a step)", "false", IsFlag: true),
        new("overlap", "compute the next gradient while the previous one's push is in flight, on the weights read before it: the round trip is hidden, and every gradient is one version staler (not with a server using delay compensation)", "false", IsFlag: true),
        new("stream-push-mb", "a push bigger than this many MB goes as a stream of 1 MiB chunks (PushStream), its weights then pulled: no message of the whole model is buffered on either side",
            DefaultStreamPushMb.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("call-timeout", "deadline of each call, in seconds", "30"),
        new("write-initial-weights", "write --model's initial parameters, seeded with --seed, to this safetensors file (the parameter server's --initial-weights), and exit"),
        new("metrics-port", "HTTP/1.1 port of GET /metrics (Prometheus text format); 0 picks a free one, -1 serves none", "0"),
        new("listen", "where /metrics listens: loopback (127.0.0.1 only) or any (all interfaces, for containers)", "loopback"),
        new("auth-token", "bearer token for the parameter server"),
        new("auth-token-file", "file holding the bearer token"),
    ];

    /// <summary>The parameter-server processes, in partition order (one for an unsharded model).</summary>
    public required IReadOnlyList<Uri> Servers { get; init; }

    public string? Name { get; init; }

    /// <summary>The name it goes by: --name, or learner-K for shard K−1.</summary>
    public string LearnerName => Name ?? $"learner-{ShardIndex + 1}";

    public required string Model { get; init; }

    public int ShardIndex { get; init; }

    public int ShardCount { get; init; }

    public int BatchSize { get; init; }

    public int Seed { get; init; }

    /// <summary>Where to write the model's initial weights for the server instead of training; null to train.</summary>
    public string? WriteInitialWeights { get; init; }

    public int TrainSamples { get; init; }

    public int TestSamples { get; init; }

    public int EvalEvery { get; init; }

    public long Steps { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Wall time per gradient; null runs as fast as the learner computes.</summary>
    public required SpeedModel? Speed { get; init; }

    public DateTimeOffset? StartAt { get; init; }

    public required Device Device { get; init; }

    public int Threads { get; init; }

    public TimeSpan RetryTimeout { get; init; }

    public TimeSpan CallTimeout { get; init; }

    /// <summary>Pull before each step with a call of its own rather than taking the weights from the previous push's response.</summary>
    public bool SeparatePull { get; init; }

    private const int DefaultStreamPushMb = 16;

    /// <summary>Pushes of more floats than this go as PushStream, in chunks.</summary>
    public long StreamPushAboveFloats { get; init; } = FloatsIn(DefaultStreamPushMb);

    /// <summary>Compute the next gradient while the previous push is in flight (on the weights read before it: one version staler).</summary>
    public bool Overlap { get; init; }

    public string? Token { get; init; }

    /// <summary>The /metrics port; null serves none.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>Serve /metrics on every interface rather than loopback only.</summary>
    public bool ListenOnAll { get; init; }

    /// <summary>Binds and validates; every error names its option and the accepted range.</summary>
    public static (LearnerOptions? Options, IReadOnlyList<string> Errors) Bind(LayeredOptions o)
    {
        var servers = new List<Uri>();
        foreach (var address in o.String("ps")!.Split(',', StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var server) && server.Scheme is "http" or "https")
            {
                servers.Add(server);
            }
            else
            {
                o.Errors.Add($"--ps must be http:// or https:// addresses separated by commas, and '{address}' is not one");
            }
        }

        if (servers.Distinct().Count() != servers.Count)
        {
            o.Errors.Add($"--ps names a server twice: {o.String("ps")}");
        }

        var device = CPU;
        var deviceText = o.String("device")!;
        try
        {
            device = deviceText == "auto" ? (cuda.is_available() ? CUDA : CPU) : Devices.Parse(deviceText);
            Devices.EnsureAvailable(device);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            o.Errors.Add($"--device: {e.Message}");
        }

        var shardCount = o.Int("shard-count", 1, 100_000);
        var options = new LearnerOptions
        {
            Servers = servers,
            Name = o.String("name"),
            Model = o.String("model")!,
            ShardIndex = o.Int("shard-index", 0, 99_999),
            ShardCount = shardCount,
            BatchSize = o.Int("batch-size", 1, 65_536),
            Seed = o.Int("seed", 0, int.MaxValue),
            WriteInitialWeights = o.String("write-initial-weights"),
            TrainSamples = o.Int("train-samples", 0, int.MaxValue),
            TestSamples = o.Int("test-samples", 0, int.MaxValue),
            EvalEvery = o.Int("eval-every", 1, int.MaxValue),
            Steps = o.Int("steps", 0, int.MaxValue),
            Duration = TimeSpan.FromSeconds(o.Double("duration", 0, 1e7)),
            Speed = BuildSpeed(o),
            StartAt = o.Double("start-at", 0, 1e15) is > 0 and var ms ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null,
            Device = device,
            Threads = o.Int("threads", 0, 1024),
            RetryTimeout = TimeSpan.FromSeconds(o.Double("retry-timeout", 0, 86400, minExclusive: true)),
            CallTimeout = TimeSpan.FromSeconds(o.Double("call-timeout", 0, 86400, minExclusive: true)),
            SeparatePull = o.Flag("separate-pull"),
            StreamPushAboveFloats = FloatsIn(o.Double("stream-push-mb", 0, 1e6)),
            Overlap = o.Flag("overlap"),
            MetricsPort = o.Int("metrics-port", -1, 65535) is >= 0 and var metrics ? metrics : null,
            ListenOnAll = o.Choice("listen", "loopback", "any") == "any",
        };

        if (options.ShardIndex >= shardCount)
        {
            o.Errors.Add($"--shard-index must be in 0..{shardCount - 1} (below --shard-count {shardCount}), not {options.ShardIndex}");
        }

        var (token, tokenFile) = (o.String("auth-token"), o.String("auth-token-file"));
        if (token is not null && tokenFile is not null)
        {
            o.Errors.Add("give --auth-token or --auth-token-file, not both");
        }
        else if (tokenFile is not null)
        {
            token = File.Exists(tokenFile) ? File.ReadAllText(tokenFile).Trim() : null;
            if (token is null)
            {
                o.Errors.Add($"--auth-token-file: '{tokenFile}' does not exist");
            }
        }

        return o.Errors.Count == 0 ? (options with { Token = token }, o.Errors) : (null, o.Errors);
    }

    /// <summary>The same speed models as the simulator's (src/Models/Speed), in seconds of wall time.</summary>
    /// <summary>How many floats <paramref name="megabytes"/> MB hold.</summary>
    private static long FloatsIn(double megabytes) => (long)(megabytes * 1e6 / sizeof(float));

    private static SpeedModel? BuildSpeed(LayeredOptions o)
    {
        var stepTime = (decimal)o.Double("step-time", 0, 86400);
        var speed = (decimal)o.Double("speed", 0, 1e6, minExclusive: true);
        var jitter = o.Double("jitter", 0, 10);
        var (straggler, slow) = (o.String("straggler"), o.String("slow"));
        if (stepTime == 0 && speed == 1 && jitter == 0 && straggler is null && slow is null)
        {
            return null;
        }

        var step = Math.Round((stepTime == 0 ? 0.1m : stepTime) / speed, SpeedModel.Decimals);
        if (step <= 0)
        {
            o.Errors.Add($"--step-time/--speed give a step of {step} s: below the microsecond resolution");
            return null;
        }

        try
        {
            var model = jitter > 0 ? new LognormalSpeed(step, jitter) : (SpeedModel)new ConstantSpeed(step);
            model = straggler is null ? model : SpeedModels.Straggler(model, straggler);
            return slow is null ? model : SpeedModels.SlowPeriod(model, slow);
        }
        catch (ArgumentException e)
        {
            o.Errors.Add(e.Message);
            return null;
        }
    }
}
