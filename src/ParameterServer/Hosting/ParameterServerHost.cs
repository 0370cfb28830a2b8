using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using PsTraining.Hosting;
using PsTraining.Hosting.Metrics;
using PsTraining.Protocol;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Routing;
using PsTraining.ParameterServer.Service;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>
/// The server on ASP.NET Core: pstraining.v1.ParameterServer (<c>MapGrpcService</c>), grpc.health.v1.Health answering
/// for "" and for the named service, and server reflection, over HTTP/2 only (h2c in plain text, which grpcio needs,
/// or TLS with ALPN when a certificate is given); and, when asked, <c>/metrics</c> on a second port over HTTP/1.1.
/// Port 0 picks a free port; <see cref="Port"/> and <see cref="MetricsPort"/> tell which.
/// </summary>
public sealed class ParameterServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KestrelListener _grpc;
    private readonly KestrelListener? _metrics;

    private ParameterServerHost(WebApplication app, KestrelListener grpc, KestrelListener? metrics)
    {
        _app = app;
        _grpc = grpc;
        _metrics = metrics;
    }

    public int Port => _grpc.Port;

    /// <summary>The port of <c>/metrics</c>, or null when none is served.</summary>
    public int? MetricsPort => _metrics?.Port;

    public IServiceProvider Services => _app.Services;

    public static Task<ParameterServerHost> StartAsync(ParameterServerCore core, ServerHostOptions options) => StartAsync(core, null, options);

    /// <summary>One core served without a silo (tests and benchmarks host the service in their own process); <paramref name="instruments"/> (given when <see cref="ServerHostOptions.Metrics"/> is) time the calls.</summary>
    public static Task<ParameterServerHost> StartAsync(ParameterServerCore core, PsInstruments? instruments, ServerHostOptions options) =>
        StartAsync(ServedShards.Lone(core), _ => new OneCoreRoutes(options.Model, core.Layout.TotalLength), instruments, options);

    /// <summary>
    /// Starts serving <paramref name="shards"/>, with what <paramref name="routes"/> makes answering GetRoutes; <paramref name="configure"/>
    /// adds to the host (a cluster member's silo) before it is built.
    /// </summary>
    public static async Task<ParameterServerHost> StartAsync(ServedShards shards, Func<IServiceProvider, IRouteSource> routes, PsInstruments? instruments, ServerHostOptions options,
        Action<WebApplicationBuilder>? configure = null)
    {
        var grpc = new KestrelListener(options.Port, options.LoopbackOnly, HttpProtocols.Http2, listen =>
        {
            if (options.CertificatePath is { } certificate)
            {
                listen.UseHttps(certificate, options.CertificatePassword);
            }
        });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the host prints its own status lines
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // gRPC's own message limit applies, checked from each message's header
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 * 1024 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            grpc.AddTo(kestrel);
        });

        builder.Services.AddGrpc(service =>
            {
                service.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
                service.MaxSendMessageSize = options.MaxSendMessageSize;
            })
            .AddServiceOptions<ParameterServerService>(service =>
            {
                if (options.Token is { } token)
                {
                    service.Interceptors.Add<BearerTokenInterceptor>(token);
                }

                service.Interceptors.Add<CoreErrorInterceptor>();
            });
        builder.Services.AddSingleton(shards);
        builder.Services.AddSingleton(routes);
        builder.Services.AddSingleton(services => new ParameterServerService(shards, services.GetRequiredService<IRouteSource>(), instruments));
        builder.Services.AddSingleton<IServiceMethodProvider<ParameterServerService>, ParameterServerMethods>();
        // The cores live in this process: once it takes calls (a one-process silo: once its shards are loaded), it is
        // healthy. Kubernetes probes and the launcher ask for the named service.
        builder.Services.AddGrpcHealthChecks(health => health.Services.Map(ParameterServerService.Name, _ => true))
            .AddCheck("shards", () => shards.Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("loading its shards"));
        builder.Services.AddGrpcReflection();
        var metrics = options.Metrics is { } metricsOptions ? builder.AddMetrics(metricsOptions, MetricNames.ParameterServerMeter) : null;

        configure?.Invoke(builder);
        var app = builder.Build();
        if (metrics is not null)
        {
            app.UseMetricsEndpoint(metrics);
        }

        if (options.Metrics is not null)
        {
            app.Use(GrpcStatusMetricsTag.Tag);
        }

        app.MapGrpcService<ParameterServerService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        await app.StartAsync();
        return new ParameterServerHost(app, grpc, metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
