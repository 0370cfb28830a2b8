namespace PsTraining.Hosting.Metrics;

/// <summary>
/// A process's metrics: who it is (the resource attributes service.name and service.instance.id) and, when
/// <see cref="Port"/> is set, the HTTP/1.1 port that serves <c>/metrics</c> (0 picks a free one). OTLP is added
/// when OTEL_EXPORTER_OTLP_ENDPOINT is set, whatever the port.
/// </summary>
public sealed record MetricsOptions(string ServiceName, string InstanceId, int? Port = null, bool LoopbackOnly = true);
