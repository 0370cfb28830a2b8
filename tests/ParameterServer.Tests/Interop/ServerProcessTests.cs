using System.Text.Json;

namespace PsTraining.ParameterServer.Tests.Interop;

/// <summary>The parameter-server executable itself: a grpcio client against the real process, and a clean stop on SIGTERM.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task Grpcio_client_trains_against_the_server_process_which_stops_cleanly_on_sigterm()
    {
        using var server = await ServerProcess.StartAsync("--model", "lenet5", "--learning-rate", "0.5", "--auth-token", "t0ken");
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

    [Fact]
    public async Task Bad_options_exit_2_naming_each_option()
    {
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync("--policy", "sometimes", "--shards", "0", "--partition", "2/2"));
        Assert.Contains("--policy", failed.Message);
        Assert.Contains("--partition: expected K/N with 0 <= K < N (partition K of N server processes), not '2/2'", failed.Message);
        Assert.Contains("--shards must be an integer in 1..1024", failed.Message);
    }
}
