using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Cluster;

/// <summary>
/// What <c>cluster</c> starts: one parameter server, or a cluster of several (Orleans silos with Redis clustering, the
/// model cut into shards), N learners of the given speeds, for how long, and which servers to kill when. Each option is
/// declared once, by its property (<see cref="ProgramOption"/>).
/// </summary>
public sealed record ClusterOptions : IValidatableObject
{
    [Description("learner processes"), Range(1, 256)]
    public int Learners { get; init; } = 2;

    [Description("parameter-server processes: 1 is a lone server; N > 1 form a cluster (Orleans silos, Redis clustering on a redis-server started here) that shares the model's shards (ports --port+K and --metrics-port+K when given)"),
     Range(1, 64)]
    public int Servers { get; init; } = 1;

    [Description("shards of the model in a cluster (0: four per server)"), Range(0, 4096)]
    public int Shards { get; init; }

    [Description("seconds between the servers' checkpoints: what a killed server can lose"), Range(0, 86400, MinimumIsExclusive = true)]
    public double CheckpointInterval { get; init; } = 5;

    [Description("fault injection: K@T kills server K (0-based) with SIGKILL T seconds into the run"), Display(Name = "kill-server")]
    public string[] KillServers { get; init; } = [];

    [Description("start a killed server again this many seconds after its kill (0 = never)"), Range(0, 86400)]
    public double RestartAfter { get; init; }

    [Description("relative speed factor of each learner, e.g. 2.5,1 (default 2.5,1 for 2 learners, else all 1)")]
    public string? Speeds { get; init; }

    [Description("seconds per gradient at speed 1; a learner's compute is padded with waiting up to it (0 = as fast as it computes)"), Range(0, 86400)]
    public decimal BaseStepTime { get; init; } = 0.2m;

    [Description("model by registry name")]
    public string Model { get; init; } = "lenet5";

    [Description("consistency policy"), ConsistencyPolicyText]
    public string Policy { get; init; } = "asp";

    [Description("the server's SGD learning rate"), Range(0, 1e6, MinimumIsExclusive = true)]
    public double LearningRate { get; init; } = 0.05;

    [Description("minibatch per gradient"), Range(1, 65_536)]
    public int BatchSize { get; init; } = 64;

    [Description("seconds each learner trains (0 = until --steps)"), Range(0, 1e7)]
    public double Duration { get; init; } = 180;

    [Description("gradients each learner pushes (0 = until --duration)"), Range(0, int.MaxValue)]
    public long Steps { get; init; }

    [Description("training images shared out among the learners (0 = all 60,000)"), Range(0, int.MaxValue)]
    public int TrainSamples { get; init; }

    [Description("held-out images per evaluation (0 = none)"), Range(0, int.MaxValue)]
    public int TestSamples { get; init; } = 1000;

    [Description("each learner evaluates every this many steps"), Range(1, int.MaxValue)]
    public int EvalEvery { get; init; } = 100;

    [Description("seed of the initial weights and the data order"), Range(0, int.MaxValue)]
    public int Seed { get; init; } = 1;

    [Description("libtorch threads per learner (0 = the cores shared out)"), Range(0, 1024)]
    public int Threads { get; init; }

    [Description("seconds for the learners to load data before their common step clock starts"), Range(0, 3600)]
    public double StartDelay { get; init; } = 3;

    [Description("the parameter server's gRPC port (0 = a free one)"), Range(0, 65535)]
    public int Port { get; init; }

    [Description("the parameter server's /metrics port (0 = a free one, -1 = none)"), Range(-1, 65535)]
    public int MetricsPort { get; init; } = 9464;

    [Description("start Debian's prometheus beside the run, scraping the server and every learner each second")]
    public bool Prometheus { get; init; }

    [Description("the port of that Prometheus (its web UI and API)"), Range(1, 65535)]
    public int PrometheusPort { get; init; } = 9090;

    [Description("seconds the server (and Prometheus) keep serving after the learners finish, for the dashboards"), Range(0, 86400)]
    public double Linger { get; init; }

    [Description("run directory (default runs/cluster-TIMESTAMP)")]
    public string? Out { get; init; }

    [Description("an extra learner option for every learner: --learner-arg=--jitter --learner-arg=0.1"), Display(Name = "learner-arg")]
    public string[] LearnerArgs { get; init; } = [];

    public int ShardCount => Shards > 0 ? Shards : 4 * Servers;

    /// <summary>Relative speed factors, one per learner: learner i takes <see cref="BaseStepTime"/> / SpeedFactors[i] per gradient.</summary>
    public IReadOnlyList<decimal> SpeedFactors => Speeds is { } given ? ParseList(given) : Learners == 2 ? [2.5m, 1m] : Enumerable.Repeat(1m, Learners).ToList();

    public decimal StepTime(int learner) => BaseStepTime == 0 ? 0 : Math.Round(BaseStepTime / SpeedFactors[learner], 6);

    /// <summary>The checks between options; each names its options.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        if (Servers > 1 && ShardCount < Servers)
        {
            errors.Add($"--shards must be at least --servers ({Servers}), not {Shards}");
        }

        foreach (var kill in KillServers)
        {
            try
            {
                if (ServerKill.Parse(kill).Server >= Servers)
                {
                    errors.Add($"--kill-server {kill}: there are servers 0..{Servers - 1}");
                }
            }
            catch (ArgumentException e)
            {
                errors.Add(e.Message);
            }
        }

        IReadOnlyList<decimal> speeds = [];
        if (OptionErrors.Of("speeds", () => speeds = SpeedFactors) is { } badSpeeds)
        {
            errors.Add(badSpeeds);
        }
        else if (speeds.Count != Learners)
        {
            errors.Add($"--speeds gives {speeds.Count} factor(s) for {Learners} learner(s): give one per learner");
        }
        else if (speeds.Any(s => s <= 0))
        {
            errors.Add("--speeds: every factor must be > 0");
        }

        if (Duration <= 0 && Steps <= 0)
        {
            errors.Add("give a budget: --duration SECONDS > 0 or --steps N > 0");
        }

        if (Prometheus && MetricsPort < 0)
        {
            errors.Add("--prometheus needs the parameter server's /metrics: drop --metrics-port -1");
        }

        return errors.Select(e => new ValidationResult(e));
    }

    /// <summary>Parses "2.5,1" into factors.</summary>
    private static List<decimal> ParseList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries).Select(t => decimal.TryParse(t, NumberStyles.Number, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ArgumentException($"'{t}' is not a number")).ToList();
}
