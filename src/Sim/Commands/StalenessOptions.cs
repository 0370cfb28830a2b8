using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Commands;

/// <summary>The options of <c>staleness</c>: learners' speeds (or a recorded run), the horizon, the policy, the output.</summary>
internal sealed class StalenessOptions : IValidatableObject
{
    [Description("each learner's time per gradient, comma-separated (learner 1 first)")]
    public string? StepTimes { get; init; }

    [Description("relative speeds instead of step times: learner i's step time is 1 / speed_i (e.g. 2.5,1)")]
    public string? Speeds { get; init; }

    [Description("virtual time to run to; events at that instant are included (required unless --trace)")]
    public string? Until { get; init; }

    [Description("jsonl (one object per applied gradient) or table"), AllowedValues("jsonl", "table")]
    public string Format { get; init; } = "jsonl";

    [Description("consistency policy"), ConsistencyPolicyText]
    public string Policy { get; init; } = "asp";

    [Description("constant (default), exponential (mean = step time) or lognormal:SIGMA (median = step time)")]
    public string? Random { get; init; }

    [Description("LEARNER:EVERY:PAUSE: every EVERY-th gradient of LEARNER takes PAUSE longer"), Display(Name = "straggler")]
    public string[] Stragglers { get; init; } = [];

    [Description("LEARNER:FROM:TO:FACTOR: gradients LEARNER starts in [FROM, TO) take FACTOR times as long"), Display(Name = "slow")]
    public string[] SlowPeriods { get; init; } = [];

    [Description("seed of the random speed models")]
    public long Seed { get; init; }

    [Description("replay the push log of a real run (the launcher's pushes.jsonl) instead of speed models")]
    public string? Trace { get; init; }

    [Description("serve the simulated server's metrics (mode=\"sim\") on this port (0 = a free one) while replaying the run at --pace"), Range(0, 65535)]
    public int? ServeMetrics { get; init; }

    [Description("with --serve-metrics: virtual time units per wall-clock second"), Range(0, 1e9, MinimumIsExclusive = true)]
    public double Pace { get; init; } = 1;

    [Description("with --serve-metrics: seconds to keep serving after the run, for a last scrape"), Range(0, 86400)]
    public double Linger { get; init; } = 5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Until is null && Trace is null)
        {
            yield return new ValidationResult("--until is required (unless --trace replays a recorded run)");
        }
    }
}
