using System.Globalization;

namespace PsTraining.Sim.Cluster;

/// <summary>
/// What <c>cluster</c> starts: one parameter server, or a cluster of several (Orleans silos with Redis clustering, the
/// model cut into shards), N learners of the given speeds, for how long, and which servers to kill when.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>Parameter-server processes: 1 is a lone server; more form a cluster that shares the model's shards.</summary>
    public int Servers { get; init; } = 1;

    /// <summary>Shards of the model in a cluster (0: four per server).</summary>
    public int Shards { get; init; }

    /// <summary>Seconds between the servers' checkpoints: what a killed server can lose.</summary>
    public double CheckpointInterval { get; init; } = 5;

    /// <summary>Servers to kill with SIGKILL during the run (--kill-server K@T).</summary>
    public IReadOnlyList<string> KillServers { get; init; } = [];

    /// <summary>Seconds after a kill at which the server is started again (0 = never).</summary>
    public double RestartAfter { get; init; }

    public int ShardCount => Shards > 0 ? Shards : 4 * Servers;

    public int Learners { get; init; } = 2;

    /// <summary>Relative speed factors, one per learner: learner i takes BaseStepTime / Speeds[i] per gradient.</summary>
    public IReadOnlyList<decimal> Speeds { get; init; } = [2.5m, 1m];

    /// <summary>Seconds per gradient at speed 1 (compute is padded with waiting up to this); 0 = as fast as each computes.</summary>
    public decimal BaseStepTime { get; init; } = 0.2m;

    public string Model { get; init; } = "lenet5";

    public string Policy { get; init; } = "asp";

    public double LearningRate { get; init; } = 0.05;

    public int BatchSize { get; init; } = 64;

    /// <summary>Seconds each learner trains (0 = until <see cref="Steps"/>).</summary>
    public double Duration { get; init; } = 180;

    /// <summary>Gradients each learner pushes (0 = until <see cref="Duration"/>).</summary>
    public long Steps { get; init; }

    public int TrainSamples { get; init; }

    public int TestSamples { get; init; } = 1000;

    public int EvalEvery { get; init; } = 100;

    public int Seed { get; init; } = 1;

    /// <summary>libtorch threads per learner (0 = the cores shared out among the learners).</summary>
    public int Threads { get; init; }

    /// <summary>Seconds between starting the learners and their common step clock (time to load data and warm up).</summary>
    public double StartDelay { get; init; } = 3;

    public int Port { get; init; }

    /// <summary>The parameter server's /metrics port (0 = a free one, -1 = none).</summary>
    public int MetricsPort { get; init; } = 9464;

    /// <summary>Start Debian's prometheus beside the run, scraping every process.</summary>
    public bool Prometheus { get; init; }

    public int PrometheusPort { get; init; } = 9090;

    /// <summary>Seconds the server (and Prometheus) keep serving after the learners finish, for a look at the final state.</summary>
    public double Linger { get; init; }

    /// <summary>The run directory (default runs/cluster-yyyyMMdd-HHmmss).</summary>
    public string? Out { get; init; }

    /// <summary>Extra options for every learner, as --name value pairs (for example --jitter 0.1).</summary>
    public IReadOnlyList<string> LearnerArgs { get; init; } = [];

    public decimal StepTime(int learner) => BaseStepTime == 0 ? 0 : Math.Round(BaseStepTime / Speeds[learner], 6);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Learners is < 1 or > 256)
        {
            errors.Add($"--learners must be in 1..256, not {Learners}");
        }

        if (Servers is < 1 or > 64)
        {
            errors.Add($"--servers must be in 1..64, not {Servers}");
        }

        if (Servers > 1 && ShardCount < Servers)
        {
            errors.Add($"--shards must be at least --servers ({Servers}), not {Shards}");
        }

        if (!(CheckpointInterval > 0) || RestartAfter < 0)
        {
            errors.Add("--checkpoint-interval must be > 0 and --restart-after >= 0");
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

        if (Speeds.Count != Learners)
        {
            errors.Add($"--speeds gives {Speeds.Count} factor(s) for {Learners} learner(s): give one per learner");
        }

        if (Speeds.Any(s => s <= 0))
        {
            errors.Add("--speeds: every factor must be > 0");
        }

        if (BaseStepTime < 0)
        {
            errors.Add($"--base-step-time must be >= 0, not {BaseStepTime}");
        }

        if (Duration <= 0 && Steps <= 0)
        {
            errors.Add("give a budget: --duration SECONDS > 0 or --steps N > 0");
        }

        if (!(LearningRate > 0) || BatchSize < 1 || TestSamples < 0 || EvalEvery < 1 || StartDelay < 0 || Linger < 0 || Port is < 0 or > 65535 || MetricsPort is < -1 or > 65535 || PrometheusPort is < 1 or > 65535 || Threads < 0)
        {
            errors.Add("--learning-rate must be > 0, --batch-size and --eval-every >= 1, --test-samples, --start-delay, --linger and --threads >= 0, --port in 0..65535, --metrics-port in -1..65535, --prometheus-port in 1..65535");
        }

        if (Prometheus && MetricsPort < 0)
        {
            errors.Add("--prometheus needs the parameter server's /metrics: drop --metrics-port -1");
        }

        return errors;
    }

    /// <summary>Parses "2.5,1" into factors; the error names <paramref name="option"/>.</summary>
    public static IReadOnlyList<decimal> ParseList(string text, string option) =>
        text.Split(',', StringSplitOptions.TrimEntries).Select(t => decimal.TryParse(t, NumberStyles.Number, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ArgumentException($"{option}: '{t}' is not a number")).ToList();
}
