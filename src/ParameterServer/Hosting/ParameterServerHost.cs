using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Service;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>
/// The gRPC front door on ASP.NET Core: pstraining.v1.ParameterServer (<c>MapGrpcService</c>), grpc.health.v1.Health
/// answering for "" and for the named service, and server reflection, over HTTP/2 only (h2c in plain text, which
/// grpcio needs, or TLS with ALPN when a certificate is given). Port 0 picks a free port; <see cref="Port"/> tells which.
/// </summary>
public sealed class ParameterServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ParameterServerHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static Task<ParameterServerHost> StartAsync(ParameterServerCore core, GrpcServerOptions options, int port = 0, bool loopbackOnly = true,
        string? certificatePath = null, string? certificatePassword = null) =>
        StartAsync(core, null, options, port, loopbackOnly, certificatePath, certificatePassword);

    /// <summary>Starts serving; <paramref name="instruments"/> (optional) time the calls for the metrics.</summary>
    public static async Task<ParameterServerHost> StartAsync(ParameterServerCore core, PsInstruments? instruments, GrpcServerOptions options, int port = 0,
        bool loopbackOnly = true, string? certificatePath = null, string? certificatePassword = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the host prints its own status lines
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // gRPC's own message limit applies, checked from each message's header
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 * 1024 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            KestrelListener.Listen(kestrel, port, loopbackOnly, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificatePath is not null)
                {
                    listen.UseHttps(certificatePath, certificatePassword);
                }
            });
        });

        builder.Services.AddGrpc(grpc =>
            {
                grpc.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
                grpc.MaxSendMessageSize = options.MaxSendMessageSize;
            })
            .AddServiceOptions<ParameterServerService>(service =>
            {
                if (options.Token is { } token)
                {
                    service.Interceptors.Add<BearerTokenInterceptor>(token);
                }

                service.Interceptors.Add<CoreErrorInterceptor>();
            });
        builder.Services.AddSingleton(new ParameterServerService(core, instruments));
        builder.Services.AddSingleton<IServiceMethodProvider<ParameterServerService>, ParameterServerMethods>();
        // The core lives in this process: while it serves, it is healthy. Kubernetes probes ask for the named service.
        builder.Services.AddGrpcHealthChecks(health => health.Services.Map(ParameterServerService.Name, _ => true))
            .AddCheck("core", () => HealthCheckResult.Healthy());
        builder.Services.AddGrpcReflection();

        var app = builder.Build();
        app.MapGrpcService<ParameterServerService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        await app.StartAsync();
        return new ParameterServerHost(app, KestrelListener.BoundPort(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
