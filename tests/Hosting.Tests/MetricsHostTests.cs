using System.Diagnostics.Metrics;
using System.Net;
using PsTraining.Hosting.Metrics;
using PsTraining.TestSupport;

namespace PsTraining.Hosting.Tests;

/// <summary>A metrics-only host, as a learner runs one: its meters and the runtime's on /metrics over HTTP/1.1, and nothing else.</summary>
public sealed class MetricsHostTests
{
    [Fact]
    public async Task It_serves_its_meters_and_the_runtimes_on_metrics_only_and_promtool_accepts_them()
    {
        const string meterName = "PsTraining.Hosting.Tests";
        await using var host = await MetricsHost.StartAsync(new MetricsOptions("hosting-test", "instance-1", Port: 0), meterName);
        using var meter = MetricsExport.CreateMeter(meterName);
        meter.CreateCounter<long>("pstraining.test.things", "{thing}", "Things counted").Add(3, new KeyValuePair<string, object?>("kind", "a"));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}") };
        using var response = await http.GetAsync(new Uri(MetricsExport.Path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("target_info{service_name=\"hosting-test\",service_instance_id=\"instance-1\"} 1", text);
        Assert.Matches("pstraining_test_things_total\\{[^}]*kind=\"a\"\\} 3", text);
        Assert.Contains("# TYPE dotnet_thread_pool_threads gauge", text);
        Assert.DoesNotMatch("# TYPE dotnet_\\S+_count ", text);

        using var elsewhere = await http.GetAsync(new Uri("/anything-else", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);

        var (code, problems) = await Promtool.CheckMetricsAsync(text);
        Assert.True(code == 0, problems + "\n" + text);
    }

    [Fact]
    public async Task Without_a_port_it_serves_nothing()
    {
        await using var host = await MetricsHost.StartAsync(new MetricsOptions("hosting-test", "instance-2"), "PsTraining.Hosting.Tests.Unserved");
        Assert.Null(host.Port);
    }

    [Fact]
    public void A_listener_has_no_port_before_its_app_starts()
    {
        var listener = new KestrelListener(0, loopbackOnly: true, Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
        Assert.Contains("not bound yet", Assert.Throws<InvalidOperationException>(() => listener.Port).Message);
    }
}
