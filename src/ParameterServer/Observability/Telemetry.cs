using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace PsTraining.ParameterServer.Observability;

/// <summary>
/// How a process's metrics leave it, set up by each host's Program: the OpenTelemetry SDK with the resource
/// attributes service.name and service.instance.id, a Prometheus pull exporter (served by <see cref="MetricsEndpoint"/>),
/// and OTLP as well when OTEL_EXPORTER_OTLP_ENDPOINT is set (the SDK reads the OTEL_ variables).
/// </summary>
public sealed class Telemetry : IDisposable
{
    private readonly MeterProvider _provider;

    private Telemetry(MeterProvider provider, PrometheusExporter prometheus, Meter meter)
    {
        _provider = provider;
        Prometheus = prometheus;
        Meter = meter;
    }

    public PrometheusExporter Prometheus { get; }

    /// <summary>The process's meter, named after its component.</summary>
    public Meter Meter { get; }

    public static Telemetry Start(string serviceName, string instanceId, string meterName)
    {
        var prometheus = new PrometheusExporter();
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.Clear().AddService(serviceName, serviceInstanceId: instanceId, autoGenerateServiceInstanceId: false))
            .AddMeter(meterName)
            .AddReader(new BaseExportingMetricReader(prometheus));
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            builder.AddOtlpExporter();
        }

        var version = typeof(Telemetry).Assembly.GetName().Version?.ToString(3);
        return new Telemetry(builder.Build(), prometheus, new Meter(meterName, version));
    }

    public void Dispose()
    {
        _provider.Dispose();
        Meter.Dispose();
    }
}
