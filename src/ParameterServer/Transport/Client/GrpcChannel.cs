using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using PsTraining.Protocol;
using PsTraining.Protocol.Wire;
using PsTraining.ParameterServer.Transport;

namespace PsTraining.ParameterServer.Transport.Client;

/// <summary>
/// A gRPC client over SocketsHttpHandler: HTTP/2 with prior knowledge for http:// addresses (h2c), TLS with ALPN for
/// https://. Unary and server-streaming calls, deadlines (grpc-timeout), cancellation, message size limits, and
/// every failure as a <see cref="GrpcStatusException"/> with the status the server sent or the one the spec assigns.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcMediaType = new(GrpcProtocol.ContentType);
    private readonly HttpClient _http;
    private readonly GrpcChannelOptions _options;

    public GrpcChannel(Uri address, GrpcChannelOptions? options = null)
    {
        Address = address;
        _options = options ?? new GrpcChannelOptions();
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            InitialHttp2StreamWindowSize = 8 * 1024 * 1024,
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        if (_options.ServerCertificateValidation is { } validate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = validate;
        }

        _http = new HttpClient(handler)
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Uri Address { get; }

    public Task<TResponse> UnaryAsync<TRequest, TResponse>(string method, TRequest request, MessageParser<TResponse> parser,
        TimeSpan? timeout = null, CancellationToken cancellation = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        UnaryAsync(method, new ProtobufWriter(request), data => ProtobufWriter.Parse(parser, data), timeout, cancellation);

    /// <summary>
    /// A unary call with any encoding of the request and the response (see <see cref="Wire"/> for the block-copy codecs).
    /// <paramref name="parse"/> sees the response in a pooled buffer that is reused after it returns: it must copy what it keeps.
    /// </summary>
    public async Task<TResponse> UnaryAsync<TResponse>(string method, IWireWriter request, Func<ReadOnlyMemory<byte>, TResponse> parse,
        TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        using var deadline = Deadline(timeout, cancellation);
        try
        {
            using var call = await SendAsync(method, request, timeout, deadline.Token).ConfigureAwait(false);
            var response = call.Response;
            var reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false));
            using var message = await reader.ReadMessageAsync(_options.MaxReceiveMessageSize, deadline.Token).ConfigureAwait(false);
            using (var extra = await reader.ReadMessageAsync(_options.MaxReceiveMessageSize, deadline.Token).ConfigureAwait(false))
            {
                if (message is not null && extra is not null)
                {
                    throw new GrpcStatusException(GrpcStatusCode.Internal, $"{method} answered with more than one message");
                }
            }

            await reader.CompleteAsync().ConfigureAwait(false);
            ThrowOnStatus(response.TrailingHeaders, method);
            return message is null
                ? throw new GrpcStatusException(GrpcStatusCode.Internal, $"{method} ended with OK but sent no message")
                : parse(message.Memory);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            throw new GrpcStatusException(GrpcStatusCode.DeadlineExceeded, $"{method}: the deadline of {timeout} passed");
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new GrpcStatusException(GrpcStatusCode.Cancelled, $"{method} was cancelled");
        }
        catch (PsException e)
        {
            // A response the contract's codecs refuse (malformed bytes, tensors that do not fit the layout).
            throw new GrpcStatusException(GrpcStatusCode.InvalidArgument, $"{method}: {e.Message}");
        }
    }

    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(string method, TRequest request, MessageParser<TResponse> parser,
        TimeSpan? timeout = null, [EnumeratorCancellation] CancellationToken cancellation = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        using var deadline = Deadline(timeout, cancellation);
        using var call = await SendAsync(method, new ProtobufWriter(request), timeout, deadline.Token).ConfigureAwait(false);
        var response = call.Response;
        var reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false));
        while (await ReadOrMap(reader, method, timeout, deadline, cancellation).ConfigureAwait(false) is { } message)
        {
            using (message)
            {
                yield return ProtobufWriter.Parse(parser, message.Memory);
            }
        }

        await reader.CompleteAsync().ConfigureAwait(false);
        ThrowOnStatus(response.TrailingHeaders, method);
    }

    private async Task<PooledMessage?> ReadOrMap(PipeReader reader, string method, TimeSpan? timeout, CancellationTokenSource deadline, CancellationToken cancellation)
    {
        try
        {
            return await reader.ReadMessageAsync(_options.MaxReceiveMessageSize, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            throw new GrpcStatusException(GrpcStatusCode.DeadlineExceeded, $"{method}: the deadline of {timeout} passed");
        }
    }

    private async Task<Call> SendAsync(string method, IWireWriter request, TimeSpan? timeout, CancellationToken cancellation)
    {
        var size = request.Size;
        if (size > _options.MaxSendMessageSize)
        {
            throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"the request to {method} is {size} bytes, more than the limit of {_options.MaxSendMessageSize}");
        }

        // The frame comes from the pool and goes back only when the whole call is over (Call.Dispose), never while it may still be sending.
        var frame = ArrayPool<byte>.Shared.Rent(GrpcProtocol.HeaderSize + size);
        frame[0] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        request.Write(frame.AsSpan(GrpcProtocol.HeaderSize, size));
        using var message = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new ByteArrayContent(frame, 0, GrpcProtocol.HeaderSize + size),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // h2c with prior knowledge on http://
        };
        message.Content.Headers.ContentType = GrpcMediaType;
        message.Headers.TryAddWithoutValidation("te", "trailers");
        if (timeout is { } t)
        {
            message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(t));
        }

        if (_options.Token is { } token)
        {
            message.Headers.TryAddWithoutValidation("authorization", "Bearer " + token);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            ArrayPool<byte>.Shared.Return(frame);
            throw new GrpcStatusException(GrpcStatusCode.Unavailable, $"{method}: cannot reach {Address} ({e.Message})");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(frame);
            throw;
        }

        var call = new Call(response, frame);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                if (response.Headers.Contains(GrpcProtocol.StatusHeader))
                {
                    ThrowOnStatus(response.Headers, method); // a gRPC error can come with another HTTP status
                }

                throw new GrpcStatusException(FromHttpStatus(response.StatusCode), $"{method}: HTTP status {(int)response.StatusCode}");
            }

            // Trailers-only: the status came in the headers and there is no body.
            if (response.Headers.Contains(GrpcProtocol.StatusHeader))
            {
                ThrowOnStatus(response.Headers, method);
            }

            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <summary>A call in progress: its response, and the pooled request frame that is returned with it.</summary>
    private sealed class Call(HttpResponseMessage response, byte[] frame) : IDisposable
    {
        public HttpResponseMessage Response { get; } = response;

        public void Dispose()
        {
            Response.Dispose();
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private static void ThrowOnStatus(HttpHeaders headers, string method)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
        {
            throw new GrpcStatusException(GrpcStatusCode.Internal, $"{method}: the response has no grpc-status");
        }

        var text = values.First();
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            throw new GrpcStatusException(GrpcStatusCode.Internal, $"{method}: grpc-status '{text}' is not a number");
        }

        if (code != 0)
        {
            var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var m) ? GrpcProtocol.DecodeMessage(m.First()) : "";
            throw new GrpcStatusException((GrpcStatusCode)code, message);
        }
    }

    /// <summary>The status a client assigns to an HTTP error without a gRPC status (doc/http-grpc-status-mapping.md).</summary>
    private static GrpcStatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => GrpcStatusCode.Internal,
        HttpStatusCode.Unauthorized => GrpcStatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => GrpcStatusCode.PermissionDenied,
        HttpStatusCode.NotFound => GrpcStatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => GrpcStatusCode.Unavailable,
        _ => GrpcStatusCode.Unknown,
    };

    private static CancellationTokenSource Deadline(TimeSpan? timeout, CancellationToken cancellation)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (timeout is { } t)
        {
            source.CancelAfter(t);
        }

        return source;
    }

    public void Dispose() => _http.Dispose();
}
