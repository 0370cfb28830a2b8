using System.Diagnostics;
using PsTraining.ParameterServer.Observability;
using PsTraining.Protocol;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Simulation;

/// <summary>
/// A simulation replayed against the wall clock at a chosen pace (virtual time units per second), with its core's
/// metrics served on /metrics under the same names as the gRPC server's and <c>mode="sim"</c>, so that Prometheus and
/// the same Grafana dashboard show a simulated run as they show a real one.
/// </summary>
public sealed class LiveMetrics : IAsyncDisposable
{
    private readonly Telemetry _telemetry;
    private readonly MetricsEndpoint _endpoint;
    private readonly double _pace;
    private readonly Stopwatch _clock = new();

    private LiveMetrics(Telemetry telemetry, MetricsEndpoint endpoint, double pace)
    {
        _telemetry = telemetry;
        _endpoint = endpoint;
        _pace = pace;
        Instruments = new PsInstruments(telemetry.Meter, mode: "sim");
    }

    /// <summary>For the simulation's core.</summary>
    public PsInstruments Instruments { get; }

    public string Url => $"http://127.0.0.1:{_endpoint.Port}/metrics";

    public static async Task<LiveMetrics> StartAsync(int port, double pace)
    {
        if (!(pace > 0) || double.IsInfinity(pace))
        {
            throw new ArgumentException($"--pace must be a number > 0 (virtual time units per second), not {pace}");
        }

        var telemetry = Telemetry.Start("pstraining-simulator", $"{Environment.MachineName}:sim", MetricNames.ParameterServerMeter);
        return new LiveMetrics(telemetry, await MetricsEndpoint.StartAsync(telemetry.Prometheus, port), pace);
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
        await _endpoint.DisposeAsync();
        _telemetry.Dispose();
    }
}
