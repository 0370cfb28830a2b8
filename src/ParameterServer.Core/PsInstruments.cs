using System.Diagnostics.Metrics;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Core;

/// <summary>
/// The parameter server's instruments, on one Meter. The core records staleness, applied, duplicate and rejected
/// pushes and SSP waits; the service records call durations and bytes; the version and the live learners are observed
/// from the core at collection. Every measurement carries <c>mode</c>: <c>real</c> for the gRPC server, <c>sim</c> for
/// the simulator, so that one dashboard serves both. How the metrics leave the process is the host's business.
/// </summary>
public sealed class PsInstruments
{
    private readonly KeyValuePair<string, object?> _mode;
    private readonly Histogram<long> _staleness;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _lost;
    private readonly Counter<long> _shardLoads;
    private readonly Histogram<double> _sspWait;
    private readonly Histogram<double> _pushDuration;
    private readonly Histogram<double> _pullDuration;
    private readonly Counter<long> _received;
    private readonly Counter<long> _sent;

    public PsInstruments(Meter meter, string mode = "real")
    {
        Meter = meter;
        _mode = new("mode", mode);
        _staleness = meter.CreateHistogram<long>(MetricNames.Staleness, MetricNames.StalenessUnit, "Staleness of each applied gradient: updates applied between the learner's read and this update",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = MetricNames.StalenessBuckets.Select(b => (long)b).ToArray() });
        _applied = meter.CreateCounter<long>(MetricNames.Applied, MetricNames.PushUnit, "Pushes applied to the model");
        _rejected = meter.CreateCounter<long>(MetricNames.Rejected, MetricNames.PushUnit, "Pushes refused, by reason; nothing of them was applied");
        _duplicates = meter.CreateCounter<long>(MetricNames.Duplicates, MetricNames.PushUnit, "Retried pushes acknowledged again without being applied twice");
        _lost = meter.CreateCounter<long>(MetricNames.Lost, MetricNames.PushUnit,
            "Pushes acknowledged to learners but missing from the checkpoint a server or shard was restored from");
        _shardLoads = meter.CreateCounter<long>(MetricNames.ShardLoads, MetricNames.ShardUnit,
            "Shard cores loaded on this server in a cluster, by kind (first, moved, reloaded) and source (checkpoint or initial weights)");
        _sspWait = meter.CreateHistogram<double>(MetricNames.SspWait, MetricNames.Seconds, "Time a push waited for slower learners under SSP",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricNames.DurationBuckets });
        _pushDuration = meter.CreateHistogram<double>(MetricNames.PushDuration, MetricNames.Seconds, "Push calls, from the request to the response",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricNames.DurationBuckets });
        _pullDuration = meter.CreateHistogram<double>(MetricNames.PullDuration, MetricNames.Seconds, "Pull calls, from the request to the response",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricNames.DurationBuckets });
        _received = meter.CreateCounter<long>(MetricNames.Received, MetricNames.Bytes, "Message bytes received (push requests)");
        _sent = meter.CreateCounter<long>(MetricNames.Sent, MetricNames.Bytes, "Message bytes sent (pull responses)");
    }

    public Meter Meter { get; }

    /// <summary>
    /// Observes <paramref name="core"/> at each collection: the model version, the live learners, and each learner's
    /// largest staleness so far (a histogram cannot give a maximum). Called once, by whoever holds the core for good.
    /// </summary>
    public void Observe(ParameterServerCore core)
    {
        Meter.CreateObservableGauge(MetricNames.MaxStaleness, () => core.Stats().Learners.Select(l => new Measurement<long>((long)l.MaxStaleness, new("learner", l.Name), _mode)),
            MetricNames.StalenessUnit, "Largest staleness of any gradient of the learner so far");
        Meter.CreateObservableGauge(MetricNames.Version, () => new Measurement<long>((long)core.Version, _mode), MetricNames.VersionUnit, "Model version: updates applied so far");
        Meter.CreateObservableGauge(MetricNames.LiveLearners, () => new Measurement<int>(core.Stats().Learners.Count(l => l.Live), _mode), MetricNames.LearnerUnit,
            "Learners heard from within the heartbeat timeout");
    }

    /// <summary>
    /// Observes the shards a cluster member serves (they come and go as shards move), each measurement tagged with its
    /// shard: the version, the live learners and each learner's largest staleness.
    /// </summary>
    public void ObserveShards(Func<IEnumerable<(int Shard, ParameterServerCore Core)>> shards)
    {
        Meter.CreateObservableGauge(MetricNames.MaxStaleness, () => shards().SelectMany(s => s.Core.Stats().Learners.Select(l =>
            new Measurement<long>((long)l.MaxStaleness, new("learner", l.Name), new("shard", s.Shard), _mode))), MetricNames.StalenessUnit,
            "Largest staleness of any gradient of the learner so far");
        Meter.CreateObservableGauge(MetricNames.Version, () => shards().Select(s => new Measurement<long>((long)s.Core.Version, new("shard", s.Shard), _mode)),
            MetricNames.VersionUnit, "Model version: updates applied so far");
        Meter.CreateObservableGauge(MetricNames.LiveLearners, () => shards().Select(s => new Measurement<int>(s.Core.Stats().Learners.Count(l => l.Live), new("shard", s.Shard), _mode)),
            MetricNames.LearnerUnit, "Learners heard from within the heartbeat timeout");
    }

    public void Staleness(string learner, ulong staleness) => _staleness.Record((long)staleness, new("learner", learner), _mode);

    public void Applied(string learner) => _applied.Add(1, new("learner", learner), _mode);

    public void Duplicate(string learner) => _duplicates.Add(1, new("learner", learner), _mode);

    public void ShardLoaded(string kind, bool fromCheckpoint) =>
        _shardLoads.Add(1, new("kind", kind), new("source", fromCheckpoint ? "checkpoint" : "initial"), _mode);

    public void Lost(string learner, ulong pushes) => _lost.Add((long)pushes, new("learner", learner), _mode);

    public void Rejected(string reason) => _rejected.Add(1, new("reason", reason), _mode);

    public void SspWait(TimeSpan waited) => _sspWait.Record(waited.TotalSeconds, _mode);

    public void Push(TimeSpan duration, long bytes)
    {
        _pushDuration.Record(duration.TotalSeconds, _mode);
        _received.Add(bytes, _mode);
    }

    public void Pull(TimeSpan duration, long bytes)
    {
        _pullDuration.Record(duration.TotalSeconds, _mode);
        _sent.Add(bytes, _mode);
    }
}
