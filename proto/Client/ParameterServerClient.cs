using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.Routing;
using PsTraining.Protocol.V1;
using PsTraining.Protocol.Wire;
using Proto = PsTraining.Protocol.V1;

namespace PsTraining.Protocol.Client;

/// <summary>
/// The learners' client of the ParameterServer and Health services, on one long-lived Grpc.Net.Client channel: the
/// generated client for the small calls, and the contract's block-copy codecs for the three that carry the model (Pull
/// responses, Push requests and responses, and PushStream chunks go through <see cref="TensorMarshallers"/>). Every failure is an
/// <see cref="RpcException"/>; a deadline is given per call.
/// </summary>
public sealed class ParameterServerClient : IDisposable
{
    private static readonly string Service = V1.ParameterServer.Descriptor.FullName;

    private static readonly Method<IWireWriter, PooledPayload> PullMethod =
        new(MethodType.Unary, Service, "Pull", TensorMarshallers.Writer, TensorMarshallers.Payload);

    private static readonly Method<IWireWriter, PooledPayload> PushMethod =
        new(MethodType.Unary, Service, "Push", TensorMarshallers.Writer, TensorMarshallers.Payload);

    /// <summary>PushStream as any caller can send it, chunk by chunk (<see cref="PushChunkWriter"/>).</summary>
    public static readonly Method<IWireWriter, PushResponse> PushStreamMethod =
        new(MethodType.ClientStreaming, Service, "PushStream", TensorMarshallers.Writer, Marshallers.Create(r => r.ToByteArray(), PushResponse.Parser.ParseFrom));

    /// <summary>Floats per chunk of a streamed push: 1 MiB.</summary>
    public const int DefaultChunkFloats = 256 * 1024;

    private readonly CallInvoker _invoker;
    private readonly Metadata? _headers;
    private readonly Proto.ParameterServer.ParameterServerClient _client;
    private readonly Health.V1.Health.HealthClient _health;

    public ParameterServerClient(Uri address, ParameterServerClientOptions? options = null)
    {
        options ??= new ParameterServerClientOptions();
        Address = address;
        Route = options.Route;
        if (options.Route is { } route)
        {
            _headers = [];
            route.AddTo(_headers);
        }

        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            InitialHttp2StreamWindowSize = 8 * 1024 * 1024,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        if (options.ServerCertificateValidation is { } validate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = validate;
        }

        var channelOptions = new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            MaxSendMessageSize = options.MaxSendMessageSize,
        };
        if (options.Token is { } token)
        {
            var bearer = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return Task.CompletedTask;
            });
            var https = address.Scheme == Uri.UriSchemeHttps;
            channelOptions.Credentials = ChannelCredentials.Create(https ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, bearer);
            // h2c inside a cluster or on loopback carries the token too, as before: the deployment decides on TLS.
            channelOptions.UnsafeUseInsecureChannelCallCredentials = !https;
        }

        Channel = GrpcChannel.ForAddress(address, channelOptions);
        _invoker = Channel.CreateCallInvoker();
        _client = new Proto.ParameterServer.ParameterServerClient(_invoker);
        _health = new Health.V1.Health.HealthClient(_invoker);
    }

    public Uri Address { get; }

    /// <summary>The shard (of a cluster) every call names, or null for a server outside a cluster.</summary>
    public ShardKey? Route { get; }

    public GrpcChannel Channel { get; }

    public Task<HealthCheckResponse> CheckHealthAsync(string service = "", TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _health.CheckAsync(new HealthCheckRequest { Service = service }, Options(timeout, cancellation)).ResponseAsync;

    public Task<RegisterResponse> RegisterAsync(RegisterRequest request, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _client.RegisterAsync(request, Options(timeout, cancellation)).ResponseAsync;

    public Task<PullResponse> PullAsync(uint learnerId, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _client.PullAsync(new PullRequest { LearnerId = learnerId }, Options(timeout, cancellation)).ResponseAsync;

    public Task<PushResponse> PushAsync(PushRequest request, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _client.PushAsync(request, Options(timeout, cancellation)).ResponseAsync;

    /// <summary>Pulls into a flat vector laid out as <paramref name="layout"/> (names and shapes are checked); returns the version.</summary>
    public Task<ulong> PullIntoAsync(uint learnerId, ParameterLayout layout, Memory<float> destination, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        CallAsync(PullMethod, new ProtobufWriter(new PullRequest { LearnerId = learnerId }), data =>
        {
            var pulled = PullWire.Parse(data);
            layout.Flatten(pulled.Weights, t => t.Name, t => t.Shape, t => t.Count, (t, d) => t.CopyTo(d), destination.Span);
            return pulled.Version;
        }, timeout, cancellation);

    /// <summary>Pushes a flat gradient laid out as <paramref name="layout"/>, each tensor's values written as one block.</summary>
    public Task<PushResponse> PushFlatAsync(uint learnerId, ulong sequence, ulong readVersion, float loss, ParameterLayout layout, ReadOnlyMemory<float> gradient,
        TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        CallAsync(PushMethod, FlatTensorsWriter.PushRequest(learnerId, sequence, readVersion, loss, layout, gradient),
            data => PullWire.ParsePush(data).Push, timeout, cancellation);

    /// <summary>
    /// Pushes a flat gradient of a big model as a stream of chunks of <paramref name="chunkFloats"/> floats (PushStream):
    /// neither side holds the whole request as one message, and the server copies each chunk as it arrives. Applied
    /// exactly as <see cref="PushFlatAsync"/> would be, and not at all if the stream breaks; a retry keeps the sequence.
    /// </summary>
    public async Task<PushResponse> PushStreamAsync(uint learnerId, ulong sequence, ulong readVersion, float loss, ReadOnlyMemory<float> gradient,
        int chunkFloats = DefaultChunkFloats, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkFloats, 1);
        using var call = _invoker.AsyncClientStreamingCall(PushStreamMethod, null, Options(timeout, cancellation));
        var header = new PushHeader { LearnerId = learnerId, Sequence = sequence, ReadVersion = readVersion, Loss = loss, Length = (ulong)gradient.Length };
        try
        {
            var offset = 0;
            do
            {
                var count = Math.Min(chunkFloats, gradient.Length - offset);
                await call.RequestStream.WriteAsync(new PushChunkWriter(offset == 0 ? header : null, (ulong)offset, gradient.Slice(offset, count)), cancellation)
                    .ConfigureAwait(false);
                offset += count;
            }
            while (offset < gradient.Length);

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception) when (!cancellation.IsCancellationRequested)
        {
            // The server may answer before it has read the whole stream (a call it refuses: no token, an unknown learner),
            // and then resets the stream under a write, which fails as Cancelled. Its answer is the outcome, not the write.
            await call.ResponseAsync.ConfigureAwait(false);
            throw;
        }

        return await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes a flat gradient and receives the weights right after it into <paramref name="weights"/> (one round trip
    /// instead of a push and a pull). The returned version is the weights'; null when the server sent none (a server
    /// that predates return_weights): then pull.
    /// </summary>
    public Task<(PushResponse Push, ulong? WeightsVersion)> PushPullFlatAsync(uint learnerId, ulong sequence, ulong readVersion, float loss, ParameterLayout layout,
        ReadOnlyMemory<float> gradient, Memory<float> weights, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        CallAsync(PushMethod, FlatTensorsWriter.PushRequest(learnerId, sequence, readVersion, loss, layout, gradient, returnWeights: true), data =>
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
        _client.HeartbeatAsync(new HeartbeatRequest { LearnerId = learnerId }, Options(timeout, cancellation)).ResponseAsync;

    public Task<LeaveResponse> LeaveAsync(uint learnerId, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _client.LeaveAsync(new LeaveRequest { LearnerId = learnerId }, Options(timeout, cancellation)).ResponseAsync;

    public Task<RouteTable> GetRoutesAsync(TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _client.GetRoutesAsync(new GetRoutesRequest(), Options(timeout, cancellation)).ResponseAsync;

    public Task<Stats> GetStatsAsync(TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _client.GetStatsAsync(new GetStatsRequest(), Options(timeout, cancellation)).ResponseAsync;

    public async IAsyncEnumerable<Stats> WatchStatsAsync(uint intervalMs, TimeSpan? timeout = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var call = _client.WatchStats(new WatchStatsRequest { IntervalMs = intervalMs }, Options(timeout, cancellation));
        while (await NextAsync(call.ResponseStream, cancellation))
        {
            yield return call.ResponseStream.Current;
        }
    }

    public void Dispose() => Channel.Dispose();

    /// <summary>The caller's own cancellation ends the stream as an enumeration ends: with <see cref="OperationCanceledException"/>.</summary>
    private static async Task<bool> NextAsync(IAsyncStreamReader<Stats> stream, CancellationToken cancellation)
    {
        try
        {
            return await stream.MoveNext(cancellation);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException("the caller stopped watching", e, cancellation);
        }
    }

    private CallOptions Options(TimeSpan? timeout, CancellationToken cancellation) =>
        new(headers: _headers, deadline: timeout is { } t ? DateTime.UtcNow + t : null, cancellationToken: cancellation);

    /// <summary>A unary call whose response <paramref name="decode"/> reads from its pooled bytes, which go back to the pool after it.</summary>
    private async Task<T> CallAsync<T>(Method<IWireWriter, PooledPayload> method, IWireWriter request, Func<ReadOnlyMemory<byte>, T> decode,
        TimeSpan? timeout, CancellationToken cancellation)
    {
        using var payload = await _invoker.AsyncUnaryCall(method, null, Options(timeout, cancellation), request).ResponseAsync.ConfigureAwait(false);
        try
        {
            return decode(payload.Memory);
        }
        catch (PsException e)
        {
            // A response the contract's codecs refuse (malformed bytes, tensors that do not fit the layout).
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{method.FullName}: {e.Message}"));
        }
    }
}
