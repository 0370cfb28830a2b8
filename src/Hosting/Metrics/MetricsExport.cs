using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace PsTraining.Hosting.Metrics;

/// <summary>
/// How every process of ours exports its metrics, on the OpenTelemetry SDK through its hosting extensions: our meters,
/// ASP.NET Core's and Kestrel's (http_server_request_duration_seconds by route), the runtime's (GC, thread pool, CPU),
/// OpenTelemetry's Prometheus exporter for scraping, and OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
public static class MetricsExport
{
    public const string Path = "/metrics";

    /// <summary>
    /// Runtime gauges whose names end in .count become *_count in Prometheus, a suffix that promtool's lint keeps for
    /// histograms and summaries; views give them names that say what they count.
    /// </summary>
    public static readonly IReadOnlyList<(string Instrument, string Name)> Renamed =
    [
        ("dotnet.assembly.count", "dotnet.assemblies.loaded"),
        ("dotnet.process.cpu.count", "dotnet.process.cpus"),
        ("dotnet.thread_pool.thread.count", "dotnet.thread_pool.threads"),
        ("dotnet.timer.count", "dotnet.timers.active"),
    ];

    /// <summary>ASP.NET Core's meter whose instruments are not exported (see <see cref="AddMetricsExport"/>).</summary>
    public const string DroppedMeter = "Microsoft.AspNetCore.MemoryPool";

    /// <summary>A meter of ours, with this build's version (otel_scope_version).</summary>
    public static Meter CreateMeter(string name) => new(name, typeof(MetricsExport).Assembly.GetName().Version?.ToString(3));

    /// <summary>Registers the SDK with <paramref name="meters"/> and the exporters in <paramref name="builder"/>'s services.</summary>
    public static void AddMetricsExport(this IHostApplicationBuilder builder, MetricsOptions options, params string[] meters)
    {
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.Clear().AddService(options.ServiceName, serviceInstanceId: options.InstanceId, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(meters).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
                foreach (var (instrument, name) in Renamed)
                {
                    metrics.AddView(instrument, name);
                }

                // Kestrel's memory-pool counters record every block it rents and returns (dozens per model-sized
                // message): measured at about a tenth of the server's round trips, for numbers no panel needs.
                metrics.AddView(instrument => instrument.Meter.Name == DroppedMeter ? MetricStreamConfiguration.Drop : null);

                metrics.AddPrometheusExporter();
                if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    metrics.AddOtlpExporter();
                }
            });
    }

    /// <summary>
    /// The metrics of a web app: the export (<see cref="AddMetricsExport"/>) and, when <see cref="MetricsOptions.Port"/>
    /// is set, the Kestrel endpoint for <c>/metrics</c> over HTTP/1.1 (Prometheus scrapes HTTP/1.1; a plaintext gRPC
    /// port speaks only HTTP/2). Returns that endpoint, for <see cref="UseMetricsEndpoint"/>; null without a port.
    /// </summary>
    public static KestrelListener? AddMetrics(this WebApplicationBuilder builder, MetricsOptions options, params string[] meters)
    {
        builder.AddMetricsExport(options, meters);
        if (options.Port is not { } port)
        {
            return null;
        }

        var listener = new KestrelListener(port, options.LoopbackOnly, HttpProtocols.Http1);
        builder.WebHost.ConfigureKestrel(listener.AddTo);
        return listener;
    }

    /// <summary>
    /// Serves <c>/metrics</c> on <paramref name="listener"/> and nothing else there (404), while the app's other
    /// endpoints never see it. The branch is chosen by the port a connection came in on, which Kestrel knows, rather
    /// than by <c>RequireHost</c>: that matches the Host header, and a port picked at start (0) is not known when the
    /// routes are mapped.
    /// </summary>
    public static void UseMetricsEndpoint(this IApplicationBuilder app, KestrelListener listener) =>
        app.MapWhen(context => context.Connection.LocalPort == listener.Port, metrics =>
        {
            metrics.UseOpenTelemetryPrometheusScrapingEndpoint(Path);
            metrics.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
}
