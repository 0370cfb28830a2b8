using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PsTraining.Models.Speed;
using PsTraining.Hosting;
using PsTraining.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Learner;

/// <summary>
/// The learner process's options, from the command line, PSTRAINING_ variables or a JSON file: each declared once, by
/// its property (<see cref="ProgramOption"/>); what the learner derives from them follows.
/// </summary>
public sealed class LearnerOptions : IValidatableObject
{
    private SpeedModel? _speed;
    private Device? _device;

    private const int DefaultStreamPushMb = 16;

    [Description("parameter-server address, e.g. http://127.0.0.1:50051; for a model sharded over N server processes, their N addresses in partition order, comma-separated"),
     Display(Name = "ps")]
    public string ParameterServers { get; init; } = "http://127.0.0.1:50051";

    [Description("this learner's name in logs and statistics (default learner-K)")]
    public string? Name { get; init; }

    [Description("model by registry name; must match the server's")]
    public string Model { get; init; } = "lenet5";

    [Description("this learner's data shard k (0-based) of --shard-count"), Range(0, 99_999)]
    public int ShardIndex { get; init; }

    [Description("learners sharing the training set"), Range(1, 100_000)]
    public int ShardCount { get; init; } = 1;

    [Description("minibatch per gradient"), Range(1, 65_536)]
    public int BatchSize { get; init; } = 64;

    [Description("seed of the data order (the same on every learner, so the shards are disjoint)"), Range(0, int.MaxValue)]
    public int Seed { get; init; } = 1;

    [Description("training images used (from the start of the set; 0 = all 60,000)"), Range(0, int.MaxValue)]
    public int TrainSamples { get; init; }

    [Description("held-out images per evaluation (0 = no evaluation)"), Range(0, int.MaxValue)]
    public int TestSamples { get; init; } = 1000;

    [Description("evaluate every this many steps"), Range(1, int.MaxValue)]
    public int EvalEvery { get; init; } = 50;

    [Description("gradients to push before stopping (0 = until --duration)"), Range(0, int.MaxValue)]
    public long Steps { get; init; }

    [Description("seconds to run before stopping (0 = until --steps)"), Range(0, 1e7), Display(Name = "duration")]
    public double DurationSeconds { get; init; }

    [Description("wall seconds per gradient at speed 1; compute is padded with waiting (0 = as fast as it computes)"), Range(0, 86400)]
    public double StepTime { get; init; }

    [Description("relative speed factor: a step takes step-time/speed (step-time 0.1 when not given)"), Range(0, 1e6, MinimumIsExclusive = true), Display(Name = "speed")]
    public double SpeedFactor { get; init; } = 1;

    [Description("lognormal jitter σ of each step's time (0 = none)"), Range(0, 10)]
    public double Jitter { get; init; }

    [Description("EVERY:PAUSE: every EVERY-th gradient takes PAUSE seconds longer")]
    public string? Straggler { get; init; }

    [Description("FROM:TO:FACTOR: gradients starting in [FROM, TO) seconds take FACTOR times as long")]
    public string? Slow { get; init; }

    [Description("Unix time in milliseconds at which the step clock starts (the launcher starts all learners together)"), Range(0, 1e15), Display(Name = "start-at")]
    public double StartAtMilliseconds { get; init; }

    [Description("cpu, cuda or cuda:N; auto picks CUDA when available"), Display(Name = "device")]
    public string DeviceName { get; init; } = "auto";

    [Description("libtorch threads for this learner (0 = libtorch's default)"), Range(0, 1024)]
    public int Threads { get; init; } = 1;

    [Description("seconds to keep retrying an unreachable parameter server before giving up"), Range(0, 86400, MinimumIsExclusive = true), Display(Name = "retry-timeout")]
    public double RetryTimeoutSeconds { get; init; } = 60;

    [Description("pull with a call of its own before each step, instead of taking the weights from the previous push's response (two round trips a step)")]
    public bool SeparatePull { get; init; }

    [Description("compute the next gradient while the previous one's push is in flight, on the weights read before it: the round trip is hidden, and every gradient is one version staler (not with a server using delay compensation)")]
    public bool Overlap { get; init; }

    [Description("a push bigger than this many MB goes as a stream of 1 MiB chunks (PushStream), its weights then pulled: no message of the whole model is buffered on either side"),
     Range(0, 1e6)]
    public double StreamPushMb { get; init; } = DefaultStreamPushMb;

    [Description("deadline of each call, in seconds"), Range(0, 86400, MinimumIsExclusive = true), Display(Name = "call-timeout")]
    public double CallTimeoutSeconds { get; init; } = 30;

    [Description("write --model's initial parameters, seeded with --seed, to this safetensors file (the parameter server's --initial-weights), and exit")]
    public string? WriteInitialWeights { get; init; }

    [Description("HTTP/1.1 port of GET /metrics (Prometheus text format); 0 picks a free one, -1 serves none"), Range(-1, 65535)]
    public int MetricsPort { get; init; }

    [Description("where /metrics listens: loopback (127.0.0.1 only) or any (all interfaces, for containers)"), AllowedValues("loopback", "any")]
    public string Listen { get; init; } = "loopback";

    [Description("bearer token for the parameter server")]
    public string? AuthToken { get; init; }

    [Description("file holding the bearer token")]
    public string? AuthTokenFile { get; init; }

    /// <summary>The parameter-server processes, in partition order (one for an unsharded model).</summary>
    public IReadOnlyList<Uri> Servers => ParameterServers.Split(',', StringSplitOptions.TrimEntries).Select(a => new Uri(a)).ToList();

    /// <summary>The name it goes by: --name, or learner-K for shard K−1.</summary>
    public string LearnerName => Name ?? $"learner-{ShardIndex + 1}";

    public TimeSpan Duration => TimeSpan.FromSeconds(DurationSeconds);

    public TimeSpan RetryTimeout => TimeSpan.FromSeconds(RetryTimeoutSeconds);

    public TimeSpan CallTimeout => TimeSpan.FromSeconds(CallTimeoutSeconds);

    public DateTimeOffset? StartAt => StartAtMilliseconds > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)StartAtMilliseconds) : null;

    /// <summary>Wall time per gradient, by the same speed models as the simulator's (src/Models/Speed), in seconds; null runs as fast as the learner computes.</summary>
    public SpeedModel? Speed => _speed ??= BuildSpeed();

    private SpeedModel? BuildSpeed()
    {
        if (StepTime == 0 && SpeedFactor == 1 && Jitter == 0 && Straggler is null && Slow is null)
        {
            return null;
        }

        var model = Jitter > 0 ? new LognormalSpeed(StepSeconds, Jitter) : (SpeedModel)new ConstantSpeed(StepSeconds);
        model = Straggler is null ? model : SpeedModels.Straggler(model, Straggler);
        return Slow is null ? model : SpeedModels.SlowPeriod(model, Slow);
    }

    public Device Device => _device ??= DeviceName == "auto" ? (cuda.is_available() ? CUDA : CPU) : Devices.Parse(DeviceName);

    /// <summary>Pushes of more floats than this go as PushStream, in chunks.</summary>
    public long StreamPushAboveFloats => (long)(StreamPushMb * 1e6 / sizeof(float));

    /// <summary>The bearer token, given or read from its file; null when the server needs none.</summary>
    public string? Token => AuthToken ?? (AuthTokenFile is null ? null : File.ReadAllText(AuthTokenFile).Trim());

    /// <summary>The /metrics port; null serves none.</summary>
    public int? ServedMetricsPort => MetricsPort >= 0 ? MetricsPort : null;

    /// <summary>Serve /metrics on every interface rather than loopback only.</summary>
    public bool ListenOnAll => Listen == "any";

    private decimal StepSeconds => Math.Round(((decimal)StepTime == 0 ? 0.1m : (decimal)StepTime) / (decimal)SpeedFactor, SpeedModel.Decimals);

    /// <summary>The checks between options, and of what the options name (servers, device, files); each names its option.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        var addresses = ParameterServers.Split(',', StringSplitOptions.TrimEntries);
        foreach (var address in addresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            {
                errors.Add($"--ps must be http:// or https:// addresses separated by commas, and '{address}' is not one");
            }
        }

        if (addresses.Distinct().Count() != addresses.Length)
        {
            errors.Add($"--ps names a server twice: {ParameterServers}");
        }

        try
        {
            Devices.EnsureAvailable(Device);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            errors.Add($"--device: {e.Message}");
        }

        if (ShardIndex >= ShardCount)
        {
            errors.Add($"--shard-index must be in 0..{ShardCount - 1} (below --shard-count {ShardCount}), not {ShardIndex}");
        }

        if (StepSeconds <= 0)
        {
            errors.Add($"--step-time/--speed give a step of {StepSeconds} s: below the microsecond resolution");
        }
        else
        {
            try
            {
                _ = BuildSpeed();
            }
            catch (ArgumentException e)
            {
                errors.Add(e.Message);
            }
        }

        if (AuthToken is not null && AuthTokenFile is not null)
        {
            errors.Add("give --auth-token or --auth-token-file, not both");
        }
        else if (AuthTokenFile is not null && !File.Exists(AuthTokenFile))
        {
            errors.Add($"--auth-token-file: '{AuthTokenFile}' does not exist");
        }

        return errors.Select(e => new ValidationResult(e));
    }
}
