using PsTraining.TestSupport;
using System.Text.RegularExpressions;
using PsTraining.ParameterServer.Tests.Interop;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.V1;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Tests.Observability;

/// <summary>/metrics of a real parameter-server process: valid for promtool, agreeing with what the pushes got, names pinned.</summary>
public sealed partial class MetricsTests
{
    /// <summary>Every family of ours the server exports, and so its unit; a rename must change this list (and the dashboards).</summary>
    private static readonly string[] PinnedNames =
    [
        "pstraining_ps_learners_live", "pstraining_ps_model_version", "pstraining_ps_pull_duration_seconds", "pstraining_ps_push_duration_seconds",
        "pstraining_ps_pushes_applied_total", "pstraining_ps_pushes_duplicate_total", "pstraining_ps_pushes_rejected_total", "pstraining_ps_received_bytes_total",
        "pstraining_ps_sent_bytes_total", "pstraining_ps_shards_loaded_total", "pstraining_ps_staleness", "pstraining_ps_staleness_max",
    ];

    /// <summary>Families of ASP.NET Core, Kestrel and the runtime that the dashboards use; the runtime's *_count gauges come renamed.</summary>
    private static readonly string[] PlatformNames =
    [
        "http_server_request_duration_seconds", "kestrel_active_connections", "dotnet_gc_collections_total", "dotnet_gc_pause_time_seconds_total",
        "dotnet_gc_heap_total_allocated_bytes_total", "dotnet_thread_pool_threads", "dotnet_thread_pool_queue_length", "dotnet_thread_pool_work_item_count_total",
        "dotnet_process_cpu_time_seconds_total", "dotnet_process_cpus", "dotnet_assemblies_loaded", "target_info",
    ];

    [Fact]
    public async Task With_an_otlp_endpoint_set_the_server_also_exports_its_metrics_over_otlp()
    {
        // A plain HTTP listener standing in for an OpenTelemetry collector's OTLP/HTTP receiver.
        var port = PsTraining.Hosting.LoopbackPort.Free();
        using var collector = new System.Net.HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        };
        using var server = await ServerProcess.StartAsync(environment, "--initial-weights", TestWeights.File("linear-regression"), "--instance", "ps-otlp");

        // The first exports may come before the server has made its instruments: take requests until one carries them.
        var (context, text) = (default(System.Net.HttpListenerContext)!, "");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!text.Contains(MetricNames.Version, StringComparison.Ordinal))
        {
            context = await collector.GetContextAsync().WaitAsync(deadline - DateTime.UtcNow);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = 200;
            context.Response.Close();
            // An ExportMetricsServiceRequest: protobuf keeps strings as UTF-8, so the resource, scope and metric names show.
            text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        }

        Assert.Equal("POST", context.Request.HttpMethod);
        Assert.Equal("/v1/metrics", context.Request.Url!.AbsolutePath);
        Assert.Equal("application/x-protobuf", context.Request.ContentType);
        foreach (var expected in new[] { "service.name", "pstraining-parameter-server", "service.instance.id", "ps-otlp", MetricNames.ParameterServerMeter, MetricNames.Version, MetricNames.LiveLearners })
        {
            Assert.Contains(expected, text);
        }
    }

    [Fact]
    public async Task A_live_scrape_passes_promtool_and_agrees_with_the_pushes()
    {
        using var server = await ServerProcess.StartAsync("--initial-weights", TestWeights.File("linear-regression"), "--instance", "ps-test");
        using var client = new ParameterServerClient(new Uri($"http://127.0.0.1:{server.Port}"));
        var a = (await client.RegisterAsync(new RegisterRequest { Name = "fast" })).LearnerId;
        var b = (await client.RegisterAsync(new RegisterRequest { Name = "slow" })).LearnerId;
        var staleness = new List<ulong>();
        async Task Push(uint learner, ulong sequence, ulong read) => staleness.Add((await client.PushAsync(Request(learner, sequence, read))).Staleness);
        await Push(a, 1, 0);
        await Push(a, 2, 1);
        await Push(b, 1, 0); // staleness 2
        await Push(a, 3, 2); // staleness 1
        await Push(a, 3, 2); // a retry: acknowledged again, not applied
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.PushAsync(Request(b, 5, 0))); // a gap in the sequence
        var weights = await client.PullAsync(a);

        var text = await Scrape(server);
        var (code, promtool) = await Promtool.CheckMetricsAsync(text);
        Assert.True(code == 0, promtool + "\n" + text);

        Assert.Contains("target_info{service_name=\"pstraining-parameter-server\",service_instance_id=\"ps-test\"} 1", text);
        Assert.Equal("4", Value(text, "pstraining_ps_model_version", "shard=\"0\""));
        // The server is a one-silo cluster: its shard grain loaded the model's one shard from the initial weights.
        Assert.Equal("1", Value(text, "pstraining_ps_shards_loaded_total", "kind=\"first\"", "source=\"initial\""));
        Assert.Equal("3", Value(text, "pstraining_ps_pushes_applied_total", "learner=\"fast\""));
        Assert.Equal("1", Value(text, "pstraining_ps_pushes_applied_total", "learner=\"slow\""));
        Assert.Equal("1", Value(text, "pstraining_ps_pushes_duplicate_total", "learner=\"fast\""));
        Assert.Equal("1", Value(text, "pstraining_ps_pushes_rejected_total", "reason=\"sequence_gap\""));
        // The staleness histogram holds exactly what the pushes were told: fast 0, 0, 1; slow 2.
        Assert.Equal("2", Value(text, "pstraining_ps_staleness_bucket", "learner=\"fast\"", "le=\"0\""));
        Assert.Equal("3", Value(text, "pstraining_ps_staleness_bucket", "learner=\"fast\"", "le=\"1\""));
        Assert.Equal("0", Value(text, "pstraining_ps_staleness_bucket", "learner=\"slow\"", "le=\"1\""));
        Assert.Equal("1", Value(text, "pstraining_ps_staleness_bucket", "learner=\"slow\"", "le=\"2\""));
        Assert.Equal([0UL, 0, 2, 1, 1], staleness);
        Assert.Equal("1", Value(text, "pstraining_ps_staleness_max", "learner=\"fast\""));
        Assert.Equal("2", Value(text, "pstraining_ps_staleness_max", "learner=\"slow\""));
        Assert.Contains("otel_scope_name=\"PsTraining.ParameterServer\"", text);
        Assert.Equal((4 * weights.Weights.Sum(t => t.Values.Count)).ToString(System.Globalization.CultureInfo.InvariantCulture), Value(text, "pstraining_ps_sent_bytes_total"));
        var families = TypeLines().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(PinnedNames, families.Where(f => f.StartsWith("pstraining_", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.All(PlatformNames, name => Assert.Contains(name, families));
        Assert.DoesNotContain(families, f => f.StartsWith("dotnet_", StringComparison.Ordinal) && f.EndsWith("_count", StringComparison.Ordinal));
        Assert.DoesNotContain(families, f => f.StartsWith("aspnetcore_memory_pool_", StringComparison.Ordinal)); // dropped by a view

        // ASP.NET Core's request metrics by gRPC route, with the call's gRPC status: five pushes OK (four applied, the retry acknowledged), one refused.
        const string push = "http_route=\"/pstraining.v1.ParameterServer/Push\"";
        Assert.Equal("5", Value(text, "http_server_request_duration_seconds_count", push, "rpc_grpc_status_code=\"0\""));
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
        Assert.Equal("1", Value(text, "http_server_request_duration_seconds_count", push, $"rpc_grpc_status_code=\"{(int)refused.StatusCode}\""));
        Assert.Equal("1", Value(text, "http_server_request_duration_seconds_count", "http_route=\"/pstraining.v1.ParameterServer/Pull\"", "rpc_grpc_status_code=\"0\""));
    }

    [Fact]
    public async Task Metrics_are_served_only_on_the_metrics_port_and_grpc_only_on_its_own()
    {
        using var server = await ServerProcess.StartAsync("--initial-weights", TestWeights.File("linear-regression"));
        var metrics = MetricsUrl(server);
        using var http = new HttpClient();

        // A gRPC path on the metrics port, and anything else there but /metrics: 404.
        using var grpcPath = await http.PostAsync(new Uri(metrics, "/pstraining.v1.ParameterServer/Pull"), new ByteArrayContent([0, 0, 0, 0, 0]));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, grpcPath.StatusCode);
        using var health = await http.PostAsync(new Uri(metrics, "/grpc.health.v1.Health/Check"), new ByteArrayContent([0, 0, 0, 0, 0]));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, health.StatusCode);

        // /metrics on the gRPC port (HTTP/2 without TLS, as a gRPC client speaks there): 404.
        using var h2c = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var onGrpcPort = await h2c.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, onGrpcPort.StatusCode);

        // Both still do their own job.
        using var scrape = await http.GetAsync(new Uri(metrics, "/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.OK, scrape.StatusCode);
        using var client = new ParameterServerClient(new Uri($"http://127.0.0.1:{server.Port}"));
        Assert.NotEqual(0u, (await client.RegisterAsync(new RegisterRequest { Name = "still-serving" })).LearnerId);
    }

    private static PushRequest Request(uint learner, ulong sequence, ulong read) =>
        new() { LearnerId = learner, Sequence = sequence, ReadVersion = read, Gradients = { new Tensor { Name = "linear.weight", Shape = { 1, 1 }, Values = { 0.5f } }, new Tensor { Name = "linear.bias", Shape = { 1 }, Values = { 0.25f } } } };

    private static Uri MetricsUrl(ServerProcess server)
    {
        lock (server.Output)
        {
            return new Uri(server.Output.Single(l => l.StartsWith("metrics on ", StringComparison.Ordinal))["metrics on ".Length..]);
        }
    }

    private static async Task<string> Scrape(ServerProcess server)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(MetricsUrl(server));
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the one series of <paramref name="name"/> whose labels contain all of <paramref name="labels"/>.</summary>
    private static string Value(string text, string name, params string[] labels) =>
        text.Split('\n').Single(l => (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                                     && labels.All(x => l.Contains(x, StringComparison.Ordinal))).Split(' ')[^1];

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLines();
}
