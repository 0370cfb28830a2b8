using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Hosting;
using PsTraining.ParameterServer.Observability;
using PsTraining.ParameterServer.Service;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>
/// Kestrel serving the ParameterServer and Health services over HTTP/2: h2c (prior knowledge) in plain text,
/// or TLS with ALPN when a certificate is given. Port 0 picks a free port; <see cref="Port"/> tells which.
/// </summary>
public sealed class GrpcServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcServerHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static Task<GrpcServerHost> StartAsync(ParameterServerCore core, GrpcServerOptions options, int port = 0, bool loopbackOnly = true,
        string? certificatePath = null, string? certificatePassword = null) =>
        StartAsync(core, null, options, port, loopbackOnly, certificatePath, certificatePassword);

    /// <summary>Starts serving; <paramref name="instruments"/> (optional) time the calls for the metrics.</summary>
    public static async Task<GrpcServerHost> StartAsync(ParameterServerCore core, PsInstruments? instruments, GrpcServerOptions options, int port = 0,
        bool loopbackOnly = true, string? certificatePath = null, string? certificatePassword = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the host prints its own status lines
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // message sizes are checked per message, from the frame header
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 * 1024 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificatePath is not null)
                {
                    listen.UseHttps(certificatePath, certificatePassword);
                }
            }

            KestrelListener.Listen(kestrel, port, loopbackOnly, Configure);
        });
        var app = builder.Build();
        app.MapParameterServer(new ParameterServerService(core, instruments), new HealthService(), options);
        await app.StartAsync();
        return new GrpcServerHost(app, KestrelListener.BoundPort(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
