using System.Diagnostics.Metrics;
using PsTraining.Protocol;

namespace PsTraining.Learner;

/// <summary>
/// A learner's instruments, on one Meter: the minibatch loss, the held-out accuracy, each step's time split into
/// compute and communication (pull and push), samples processed and retries. Every measurement carries the learner's
/// name and <c>mode</c> (real here; the simulator would say sim), as the parameter server's do.
/// </summary>
public sealed class LearnerInstruments
{
    private readonly KeyValuePair<string, object?> _learner;
    private readonly KeyValuePair<string, object?> _mode;
    private readonly Gauge<double> _loss;
    private readonly Gauge<double> _accuracy;
    private readonly Histogram<double> _step;
    private readonly Counter<long> _samples;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _routeReads;

    public LearnerInstruments(Meter meter, string learner, string mode = "real")
    {
        _learner = new("learner", learner);
        _mode = new("mode", mode);
        _loss = meter.CreateGauge<double>(MetricNames.Loss, description: "Loss of the learner's last minibatch");
        _accuracy = meter.CreateGauge<double>(MetricNames.Accuracy, MetricNames.Ratio, "Accuracy on held-out data at the last evaluation");
        _step = meter.CreateHistogram<double>(MetricNames.StepDuration, MetricNames.Seconds, "Time of each step, by phase: compute (the gradient) or communication (pull and push)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricNames.DurationBuckets });
        _samples = meter.CreateCounter<long>(MetricNames.Samples, MetricNames.SampleUnit, "Training samples processed");
        _retries = meter.CreateCounter<long>(MetricNames.Retries, MetricNames.RetryUnit, "Calls retried after a transport failure");
        _routeReads = meter.CreateCounter<long>(MetricNames.RouteRefreshes, MetricNames.RefreshUnit, "Times the learner read a cluster's route table again after a failed call");
    }

    public void Step(double computeMs, double communicationMs, float loss, int samples)
    {
        _step.Record(computeMs / 1000, _learner, _mode, new("phase", "compute"));
        _step.Record(communicationMs / 1000, _learner, _mode, new("phase", "communication"));
        _loss.Record(loss, _learner, _mode);
        _samples.Add(samples, _learner, _mode);
    }

    public void Evaluated(double accuracy) => _accuracy.Record(accuracy, _learner, _mode);

    public void Retried() => _retries.Add(1, _learner, _mode);

    public void RoutesRead() => _routeReads.Add(1, _learner, _mode);
}
