using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace PsTraining.ParameterServer.Observability;

/// <summary>
/// A pull exporter: the OpenTelemetry SDK hands it the metrics when a scrape asks (<see cref="Scrape"/>), and it
/// renders them in the Prometheus text format. Pull-only readers collect only inside the SDK's pull scope, which the
/// SDK enters through the <see cref="IPullMetricExporter.Collect"/> delegate it gives this exporter; calling the
/// reader's own Collect() from outside returns false. Concurrent scrapes are served one at a time, and a scrape
/// within <see cref="CacheFor"/> of the last one gets the same text.
/// </summary>
[ExportModes(ExportModes.Pull)]
public sealed class PrometheusExporter : BaseExporter<Metric>, IPullMetricExporter
{
    private readonly SemaphoreSlim _scrape = new(1, 1);
    private string _text = "";
    private DateTimeOffset _renderedAt = DateTimeOffset.MinValue;

    public Func<int, bool>? Collect { get; set; }

    public TimeSpan CacheFor { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The current metrics in the Prometheus text format (version 0.0.4).</summary>
    public async Task<string> Scrape(CancellationToken cancellation = default)
    {
        await _scrape.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (DateTimeOffset.UtcNow - _renderedAt > CacheFor)
            {
                var collect = Collect ?? throw new InvalidOperationException("the exporter is not attached to a MeterProvider");
                if (!collect(5000))
                {
                    throw new InvalidOperationException("collecting the metrics failed");
                }

                _renderedAt = DateTimeOffset.UtcNow;
            }

            return _text;
        }
        finally
        {
            _scrape.Release();
        }
    }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var resource = ParentProvider?.GetResource().Attributes ?? [];
        _text = PrometheusText.Render(batch, resource);
        return ExportResult.Success;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _scrape.Dispose();
        }

        base.Dispose(disposing);
    }
}
