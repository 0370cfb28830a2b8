using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PsTraining.Hosting.Metrics;

/// <summary>
/// The metrics of a process that serves nothing else (a learner, a paced simulation): exported as the parameter
/// server's are (<see cref="MetricsExport"/>), on Kestrel when <see cref="MetricsOptions.Port"/> is set, and otherwise
/// on a host without a web server (OTLP only, when configured).
/// </summary>
public sealed class MetricsHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly KestrelListener? _listener;

    private MetricsHost(IHost host, KestrelListener? listener)
    {
        _host = host;
        _listener = listener;
    }

    /// <summary>The port of <c>/metrics</c>, or null when none is served.</summary>
    public int? Port => _listener?.Port;

    public static async Task<MetricsHost> StartAsync(MetricsOptions options, params string[] meters)
    {
        if (options.Port is null)
        {
            var plain = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            plain.Configuration.AddEnvironmentVariables();
            plain.AddMetricsExport(options, meters);
            var host = plain.Build();
            await host.StartAsync();
            return new MetricsHost(host, null);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the process prints its own status lines
        var listener = builder.AddMetrics(options, meters)!;
        var app = builder.Build();
        app.UseMetricsEndpoint(listener);
        await app.StartAsync();
        return new MetricsHost(app, listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
