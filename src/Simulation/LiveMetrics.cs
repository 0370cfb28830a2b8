using System.Diagnostics;
using System.Diagnostics.Metrics;
using PsTraining.Hosting.Metrics;
using PsTraining.Protocol;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Simulation;

/// <summary>
/// A simulation replayed against the wall clock at a chosen pace (virtual time units per second), with its core's
/// metrics served on /metrics under the same names as the gRPC server's and <c>mode="sim"</c>, so that Prometheus and
/// the same Grafana dashboard show a simulated run as they show a real one.
/// </summary>
public sealed class LiveMetrics : IAsyncDisposable
{
    private readonly Meter _meter;
    private readonly MetricsHost _host;
    private readonly double _pace;
    private readonly Stopwatch _clock = new();

    private LiveMetrics(Meter meter, MetricsHost host, double pace)
    {
        _meter = meter;
        _host = host;
        _pace = pace;
        Instruments = new PsInstruments(meter, mode: "sim");
    }

    /// <summary>For the simulation's core.</summary>
    public PsInstruments Instruments { get; }

    public string Url => $"http://127.0.0.1:{_host.Port}{MetricsExport.Path}";

    public static async Task<LiveMetrics> StartAsync(int port, double pace)
    {
        if (!(pace > 0) || double.IsInfinity(pace))
        {
            throw new ArgumentException($"--pace must be a number > 0 (virtual time units per second), not {pace}");
        }

        var meter = MetricsExport.CreateMeter(MetricNames.ParameterServerMeter);
        return new LiveMetrics(meter, await MetricsHost.StartAsync(new MetricsOptions("pstraining-simulator", $"{Environment.MachineName}:sim", port), MetricNames.ParameterServerMeter), pace);
    }

    /// <summary>Wraps <paramref name="sink"/> so that each applied gradient is handed on when the wall clock reaches its virtual time.</summary>
    public Action<AppliedGradient> Paced(TimeScale scale, Action<AppliedGradient> sink)
    {
        _clock.Restart();
        return gradient =>
        {
            var due = TimeSpan.FromSeconds((double)scale.ToTime(gradient.Ticks) / _pace) - _clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                Thread.Sleep(due);
            }

            sink(gradient);
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _meter.Dispose();
    }
}
