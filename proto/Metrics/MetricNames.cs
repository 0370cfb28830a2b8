namespace PsTraining.Protocol;

/// <summary>
/// Every metric of PsTraining: its OpenTelemetry name and unit, in one place (the Prometheus names follow from them,
/// see <see cref="PrometheusText"/>; the dashboards and a test pin those). A rename here is a deliberate change.
/// </summary>
public static class MetricNames
{
    public const string ParameterServerMeter = "PsTraining.ParameterServer";

    public const string Staleness = "pstraining.ps.staleness";
    public const string MaxStaleness = "pstraining.ps.staleness.max";
    public const string StalenessUnit = "{update}";
    public const string Applied = "pstraining.ps.pushes.applied";
    public const string Rejected = "pstraining.ps.pushes.rejected";
    public const string Duplicates = "pstraining.ps.pushes.duplicate";
    public const string Lost = "pstraining.ps.pushes.lost";
    public const string ShardLoads = "pstraining.ps.shards.loaded";
    public const string ShardUnit = "{shard}";
    public const string PushUnit = "{push}";
    public const string Version = "pstraining.ps.model.version";
    public const string VersionUnit = "{version}";
    public const string LiveLearners = "pstraining.ps.learners.live";
    public const string LearnerUnit = "{learner}";
    public const string SspWait = "pstraining.ps.ssp.wait";
    public const string PushDuration = "pstraining.ps.push.duration";
    public const string PullDuration = "pstraining.ps.pull.duration";
    public const string Seconds = "s";
    public const string Received = "pstraining.ps.received";
    public const string Sent = "pstraining.ps.sent";
    public const string Bytes = "By";

    public const string LearnerMeter = "PsTraining.Learner";

    public const string Loss = "pstraining.learner.loss";
    public const string Accuracy = "pstraining.learner.accuracy";
    public const string Ratio = "1";
    public const string StepDuration = "pstraining.learner.step.duration";
    public const string Samples = "pstraining.learner.samples";
    public const string SampleUnit = "{sample}";
    public const string Retries = "pstraining.learner.retries";
    public const string RetryUnit = "{retry}";
    public const string RouteRefreshes = "pstraining.learner.route.refreshes";
    public const string RefreshUnit = "{refresh}";

    /// <summary>Explicit buckets of the staleness histogram (issue #6): powers of two up to 128.</summary>
    public static readonly double[] StalenessBuckets = [0, 1, 2, 4, 8, 16, 32, 64, 128];

    /// <summary>Buckets of the duration histograms, in seconds: 0.1 ms to 10 s.</summary>
    public static readonly double[] DurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
