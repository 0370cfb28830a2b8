using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.V1;
using PsTraining.Protocol;
using PsTraining.Protocol.Wire;
using PsTraining.ParameterServer.Transport;

namespace PsTraining.ParameterServer.Transport.Client;

/// <summary>Typed calls of the ParameterServer and Health services over a <see cref="GrpcChannel"/>: the client half learners use.</summary>
public sealed class ParameterServerClient(GrpcChannel channel)
{
    private const string Ps = "/" + ParameterServerService.Name + "/";

    public GrpcChannel Channel { get; } = channel;

    public Task<HealthCheckResponse> CheckHealthAsync(string service = "", TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync("/grpc.health.v1.Health/Check", new HealthCheckRequest { Service = service }, HealthCheckResponse.Parser, timeout, cancellation);

    public Task<RegisterResponse> RegisterAsync(RegisterRequest request, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "Register", request, RegisterResponse.Parser, timeout, cancellation);

    public Task<PullResponse> PullAsync(uint learnerId, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "Pull", new PullRequest { LearnerId = learnerId }, PullResponse.Parser, timeout, cancellation);

    public Task<PushResponse> PushAsync(PushRequest request, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "Push", request, PushResponse.Parser, timeout, cancellation);

    /// <summary>Pulls into a flat vector laid out as <paramref name="layout"/> (names and shapes are checked); returns the version.</summary>
    public async Task<ulong> PullIntoAsync(uint learnerId, ParameterLayout layout, Memory<float> destination, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        // The weights are copied out while the pooled response buffer is still ours.
        return await Channel.UnaryAsync(Ps + "Pull", new ProtobufWriter(new PullRequest { LearnerId = learnerId }), data =>
        {
            var pulled = PullWire.Parse(data);
            layout.Flatten(pulled.Weights, t => t.Name, t => t.Shape, t => t.Count, (t, d) => t.CopyTo(d), destination.Span);
            return pulled.Version;
        }, timeout, cancellation);
    }

    /// <summary>Pushes a flat gradient laid out as <paramref name="layout"/>, each tensor's values written as one block.</summary>
    public Task<PushResponse> PushFlatAsync(uint learnerId, ulong sequence, ulong readVersion, float loss, ParameterLayout layout, ReadOnlyMemory<float> gradient,
        TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "Push", FlatTensorsWriter.PushRequest(learnerId, sequence, readVersion, loss, layout, gradient),
            data => ProtobufWriter.Parse(PushResponse.Parser, data), timeout, cancellation);

    /// <summary>
    /// Pushes a flat gradient and receives the weights right after it into <paramref name="weights"/> (one round trip
    /// instead of a push and a pull). The returned version is the weights'; null when the server sent none (a server
    /// that predates return_weights): then pull.
    /// </summary>
    public Task<(PushResponse Push, ulong? WeightsVersion)> PushPullFlatAsync(uint learnerId, ulong sequence, ulong readVersion, float loss, ParameterLayout layout,
        ReadOnlyMemory<float> gradient, Memory<float> weights, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "Push", FlatTensorsWriter.PushRequest(learnerId, sequence, readVersion, loss, layout, gradient, returnWeights: true), data =>
        {
            var (pulled, push) = PullWire.ParsePush(data);
            if (pulled.Weights.Count == 0)
            {
                return (push, (ulong?)null);
            }

            layout.Flatten(pulled.Weights, t => t.Name, t => t.Shape, t => t.Count, (t, d) => t.CopyTo(d), weights.Span);
            return (push, pulled.Version);
        }, timeout, cancellation);

    public Task<HeartbeatResponse> HeartbeatAsync(uint learnerId, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "Heartbeat", new HeartbeatRequest { LearnerId = learnerId }, HeartbeatResponse.Parser, timeout, cancellation);

    public Task<LeaveResponse> LeaveAsync(uint learnerId, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "Leave", new LeaveRequest { LearnerId = learnerId }, LeaveResponse.Parser, timeout, cancellation);

    public Task<Stats> GetStatsAsync(TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.UnaryAsync(Ps + "GetStats", new GetStatsRequest(), Stats.Parser, timeout, cancellation);

    public IAsyncEnumerable<Stats> WatchStatsAsync(uint intervalMs, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        Channel.ServerStreamingAsync(Ps + "WatchStats", new WatchStatsRequest { IntervalMs = intervalMs }, Stats.Parser, timeout, cancellation);
}
