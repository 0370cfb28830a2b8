using PsTraining.TestSupport;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol.Client;
using PsTraining.ParameterServer.Hosting;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.V1;
using Proto = PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Tests.Transport;

/// <summary>A real Kestrel server on a free loopback port around a small core, and a client connected to it.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private ServerFixture(ParameterServerCore core, ParameterServerHost host, ParameterServerClient client)
    {
        Core = core;
        Host = host;
        Client = client;
    }

    public ParameterServerCore Core { get; }

    public ParameterServerHost Host { get; }

    public ParameterServerClient Client { get; }

    public Uri Address => new($"http://127.0.0.1:{Host.Port}");

    public static async Task<ServerFixture> StartAsync(CoreOptions? options = null, string? token = null, int maxMessage = 1 << 20)
    {
        var core = CoreFactory.Create(options ?? new CoreOptions { Shards = 2, LearningRate = 1 });
        var host = await ParameterServerHost.StartAsync(core, new ServerHostOptions
        {
            Token = token is null ? null : new BearerToken(token),
            MaxReceiveMessageSize = maxMessage,
        });
        var channel = new ParameterServerClient(new Uri($"http://127.0.0.1:{host.Port}"), new ParameterServerClientOptions { Token = token });
        return new ServerFixture(core, host, channel);
    }

    /// <summary>A push of the right layout (w: 3×2, b: 4) with every value set to <paramref name="value"/>.</summary>
    public static PushRequest Push(uint learner, ulong sequence, ulong readVersion, float value = 1)
    {
        var request = new PushRequest { LearnerId = learner, Sequence = sequence, ReadVersion = readVersion, Loss = 0.5f };
        request.Gradients.Add(new Proto.Tensor { Name = "w", Shape = { 3, 2 }, Values = { Enumerable.Repeat(value, 6) } });
        request.Gradients.Add(new Proto.Tensor { Name = "b", Shape = { 4 }, Values = { Enumerable.Repeat(value, 4) } });
        return request;
    }

    public float[] Weights() => CoreFactory.Weights(Core);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Core.Dispose();
    }
}
