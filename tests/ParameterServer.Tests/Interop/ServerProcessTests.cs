using PsTraining.TestSupport;
using System.Text.Json;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Routing;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Tests.Interop;

/// <summary>The parameter-server executable itself: a grpcio client against the real process, and a clean stop on SIGTERM.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task Grpcio_client_trains_against_the_server_process_which_stops_cleanly_on_sigterm()
    {
        using var server = await ServerProcess.StartAsync("--initial-weights", TestWeights.File("lenet5"), "--learning-rate", "0.5", "--auth-token", "t0ken");
        using var json = await PythonProcess.RunForJsonAsync("ps_client.py", "--address", $"127.0.0.1:{server.Port}", "--token", "t0ken");
        var layout = json.RootElement.GetProperty("layout").EnumerateArray().Select(t => t[0].GetString()).ToList();
        Assert.Equal(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"], layout);
        Assert.All(json.RootElement.GetProperty("delta").GetProperty("fc3.bias").EnumerateArray(), d => Assert.Equal(-0.25, d.GetDouble(), 5));

        await Task.Delay(1500); // one status line
        Assert.Equal(0, await server.TerminateAsync());
        lock (server.Output)
        {
            Assert.Contains(server.Output, l => l.Contains("version 3", StringComparison.Ordinal)); // the client pushes three times
            Assert.Contains(server.Output, l => l.StartsWith("stopping", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Issue 18: every server process is an Orleans silo. A server started with no options is a one-silo cluster whose
    /// shard grain placed the model's one shard on it before it said it listens: its route names the shard's
    /// generation and no address (the one the learner called), calls that name no shard reach it, and a call that names
    /// another generation is refused as not the owner.
    /// </summary>
    [Fact]
    public async Task A_server_process_is_a_one_silo_cluster_serving_the_model_as_one_shard()
    {
        using var server = await ServerProcess.StartAsync("--initial-weights", TestWeights.File("linear-regression"));
        lock (server.Output)
        {
            Assert.Contains(server.Output, l => l.Contains("listening on", StringComparison.Ordinal) && l.Contains("one-silo Orleans cluster", StringComparison.Ordinal));
            Assert.Contains(server.Output, l => l.StartsWith("serving shard 0 (generation 1)", StringComparison.Ordinal));
        }

        using var plain = new ParameterServerClient(new Uri($"http://127.0.0.1:{server.Port}"));
        var table = await plain.GetRoutesAsync();
        var route = Assert.Single(table.Routes);
        Assert.Equal((0u, 0ul, table.TotalLength, "", 1ul), (route.Shard, route.Start, route.Length, route.Address, route.Generation));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await plain.CheckHealthAsync("pstraining.v1.ParameterServer")).Status);

        var id = (await plain.RegisterAsync(new RegisterRequest { Name = "plain" })).LearnerId;
        using var routed = new ParameterServerClient(plain.Address, new ParameterServerClientOptions { Route = new ShardKey(0, 1) });
        Assert.Equal((await plain.PullAsync(id)).Version, (await routed.PullAsync(id)).Version);
        using var stale = new ParameterServerClient(plain.Address, new ParameterServerClientOptions { Route = new ShardKey(0, 2) });
        var refused = await Assert.ThrowsAsync<RpcException>(() => stale.PullAsync(id));
        Assert.True(ShardKey.IsNotOwner(refused), refused.ToString());
        Assert.Contains("this server holds generation 1", refused.Status.Detail);
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public async Task Bad_options_exit_2_naming_each_option()
    {
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync("--policy", "sometimes", "--shards", "0", "--partition", "2/2", "--cluster", "none"));
        Assert.Contains("--cluster must be one of localhost, redis, kubernetes, not 'none'", failed.Message);
        Assert.Contains("--policy", failed.Message);
        Assert.Contains("--partition: expected K/N with 0 <= K < N (partition K of N server processes), not '2/2'", failed.Message);
        Assert.Contains("--shards must be an integer in 1..1024", failed.Message);
    }
}
