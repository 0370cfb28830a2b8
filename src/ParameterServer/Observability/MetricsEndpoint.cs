using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using PsTraining.ParameterServer.Hosting;

namespace PsTraining.ParameterServer.Observability;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format, on a port of its own over HTTP/1.1 (Prometheus scrapes HTTP/1.1,
/// and a plaintext port cannot offer both that and gRPC's prior-knowledge HTTP/2). Port 0 picks a free one.
/// </summary>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<MetricsEndpoint> StartAsync(PrometheusExporter exporter, int port, bool loopbackOnly = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            KestrelListener.Listen(kestrel, port, loopbackOnly, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            var text = await exporter.Scrape(context.RequestAborted);
            context.Response.ContentType = ContentType;
            await context.Response.WriteAsync(text, context.RequestAborted);
        });
        await app.StartAsync();
        return new MetricsEndpoint(app, KestrelListener.BoundPort(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
