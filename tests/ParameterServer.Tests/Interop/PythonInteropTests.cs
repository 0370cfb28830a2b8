using System.Text.Json;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Tests.Transport;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.V1;
using Proto = PsTraining.Protocol.V1;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Tests.Interop;

/// <summary>Interop with a gRPC implementation we did not write: Debian's python3-grpcio, as client and as server.</summary>
public sealed class PythonInteropTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("interop-token")]
    public async Task Grpcio_client_calls_our_server(string? token)
    {
        await using var f = await ServerFixture.StartAsync(new CoreOptions { Shards = 2, LearningRate = 0.5f }, token);
        var args = new List<string> { "--address", $"127.0.0.1:{f.Host.Port}" };
        if (token is not null)
        {
            args.AddRange(["--token", token]);
        }

        using var json = await PythonProcess.RunForJsonAsync("ps_client.py", [.. args]);
        var r = json.RootElement;
        Assert.Equal("SERVING", r.GetProperty("health").GetString());
        Assert.Equal("w", r.GetProperty("layout")[0][0].GetString());
        Assert.Equal(1UL, r.GetProperty("push").GetProperty("version").GetUInt64());
        Assert.Equal("INVALID_ARGUMENT", r.GetProperty("nan_push").GetString());
        Assert.Contains("NaN", r.GetProperty("nan_push_detail").GetString());
        // lr 0.5 × gradient 0.5: every weight moved by exactly −0.25.
        foreach (var tensor in r.GetProperty("delta").EnumerateObject())
        {
            Assert.All(tensor.Value.EnumerateArray(), d => Assert.Equal(-0.25, d.GetDouble(), 6));
        }

        // The push that asked for the weights got them right after it was applied: another −0.25 everywhere, version 2.
        var pushPull = r.GetProperty("push_pull");
        Assert.Equal(2UL, pushPull.GetProperty("version").GetUInt64());
        Assert.Equal(2UL, pushPull.GetProperty("weights_version").GetUInt64());
        Assert.Equal(["w", "b"], pushPull.GetProperty("delta").EnumerateObject().Select(t => t.Name));
        foreach (var tensor in pushPull.GetProperty("delta").EnumerateObject())
        {
            Assert.All(tensor.Value.EnumerateArray(), d => Assert.Equal(-0.25, d.GetDouble(), 6));
        }

        Assert.Equal(0, r.GetProperty("push_without_weights").GetInt32());

        // The streamed push, in four chunks from grpcio's generated code: applied once, whole, as a push: another −0.25.
        var stream = r.GetProperty("stream");
        Assert.Equal((3UL, 0UL, 4), (stream.GetProperty("version").GetUInt64(), stream.GetProperty("staleness").GetUInt64(), stream.GetProperty("chunks").GetInt32()));
        Assert.All(stream.GetProperty("delta").EnumerateObject().SelectMany(t => t.Value.EnumerateArray()), d => Assert.Equal(-0.25, d.GetDouble(), 6));

        // Every other RPC of the service, called by grpcio through the generated path.
        Assert.Equal(3UL, r.GetProperty("heartbeat_version").GetUInt64());
        Assert.Equal((3UL, 3UL), (r.GetProperty("stats").GetProperty("version").GetUInt64(), r.GetProperty("stats").GetProperty("applied").GetUInt64()));
        Assert.Equal(["python"], r.GetProperty("stats").GetProperty("learners").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal([3UL, 3UL], r.GetProperty("watched_versions").EnumerateArray().Select(v => v.GetUInt64()));
        Assert.Equal([false], r.GetProperty("live_after_leave").EnumerateArray().Select(v => v.GetBoolean()));
        // A lone server's route table: one shard, the whole model, at the address the caller used (empty), generation 0.
        var route = Assert.Single(r.GetProperty("routes").EnumerateArray());
        Assert.Equal((0U, 0UL, (ulong)f.Core.Layout.TotalLength, "", 0UL), (route.GetProperty("shard").GetUInt32(), route.GetProperty("start").GetUInt64(),
            route.GetProperty("length").GetUInt64(), route.GetProperty("address").GetString(), route.GetProperty("generation").GetUInt64()));
        Assert.Equal(3UL, f.Core.Version);
    }

    [Fact]
    public async Task Grpcio_lists_the_services_through_reflection_and_checks_health_without_a_token()
    {
        await using var f = await ServerFixture.StartAsync(token: "reflection-token");
        using var json = await PythonProcess.RunForJsonAsync("reflection_client.py", "--address", $"127.0.0.1:{f.Host.Port}");
        var r = json.RootElement;
        var services = r.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains("pstraining.v1.ParameterServer", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);
        // The descriptor of our service comes back whole: a tool like grpcurl can call every method from it.
        var file = r.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "pstraining/v1/parameter_server.proto");
        Assert.Equal(["Register", "Pull", "Push", "PushStream", "Heartbeat", "Leave", "GetStats", "WatchStats", "GetRoutes"], file.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("SERVING", r.GetProperty("health").GetProperty("").GetString());
        Assert.Equal("SERVING", r.GetProperty("health").GetProperty("pstraining.v1.ParameterServer").GetString());
    }

    [Fact]
    public async Task Our_client_calls_a_grpcio_server()
    {
        using var python = PythonProcess.Start("ps_server.py", "--floats", "5", "--lr", "2");
        try
        {
            var line = await python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            Assert.StartsWith("PORT ", line);
            using var client = new ParameterServerClient(new Uri($"http://127.0.0.1:{line![5..]}"));

            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await client.CheckHealthAsync(timeout: TimeSpan.FromSeconds(10))).Status);
            var registered = await client.RegisterAsync(new RegisterRequest { Name = "csharp" });
            var pulled = await client.PullAsync(registered.LearnerId);
            Assert.Equal([0f, 1, 2, 3, 4], pulled.Weights[0].Values);

            var push = new PushRequest { LearnerId = registered.LearnerId, Sequence = 1, ReadVersion = pulled.Version };
            push.Gradients.Add(new Proto.Tensor { Name = "w", Shape = { 5 }, Values = { 1, 1, 1, 1, 0.5f } });
            var pushed = await client.PushAsync(push);
            Assert.Equal(1UL, pushed.Version);
            Assert.Equal([-2f, -1, 0, 1, 3], (await client.PullAsync(registered.LearnerId)).Weights[0].Values);

            // A server that knows nothing of return_weights answers without weights: the client says so (and a learner pulls).
            var layout = new ParameterLayout([("w", [5L])]);
            var weights = new float[5];
            var (plain, weightsVersion) = await client.PushPullFlatAsync(registered.LearnerId, 2, 1, 0f, layout, new float[] { 1, 1, 1, 1, 1 }, weights);
            Assert.Equal(2UL, plain.Version);
            Assert.Null(weightsVersion);
            Assert.Equal(new float[5], weights);

            // A status raised by grpcio's context.abort reaches our client with its code and message.
            push.Gradients[0].Name = "v";
            var e = await Assert.ThrowsAsync<RpcException>(() => client.PushAsync(push));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains("expected one tensor w", e.Status.Detail);

            var missing = await Assert.ThrowsAsync<RpcException>(() => client.GetStatsAsync());
            Assert.Equal(StatusCode.Unimplemented, missing.StatusCode);
        }
        finally
        {
            python.Kill(entireProcessTree: true);
            await python.WaitForExitAsync();
        }
    }
}
