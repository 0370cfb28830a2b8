using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>
/// The protocol work shared by every call kind: HTTP/2 and content-type checks, authentication, the
/// grpc-timeout deadline, reading the one request message, and mapping every failure to a gRPC status
/// (as trailers, or as a trailers-only response when nothing was sent yet). Subclasses do only their core.
/// </summary>
public abstract class ServerCallHandler<TRequest>(Func<ReadOnlyMemory<byte>, TRequest> parse, GrpcServerOptions options, bool requiresAuth)
{
    protected GrpcServerOptions Options { get; } = options;

    public async Task HandleAsync(HttpContext context)
    {
        if (!HttpProtocol.IsHttp2(context.Request.Protocol))
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await GrpcResponse.WriteStatusAsync(context, GrpcStatusCode.Internal, $"gRPC needs HTTP/2; the request used {context.Request.Protocol}");
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await GrpcResponse.WriteStatusAsync(context, GrpcStatusCode.Internal, $"content-type '{context.Request.ContentType}' is not application/grpc");
            return;
        }

        DateTimeOffset? deadline = null;
        using var deadlineSource = new CancellationTokenSource();
        if (context.Request.Headers[GrpcProtocol.TimeoutHeader] is { Count: > 0 } timeoutHeader)
        {
            if (!GrpcProtocol.TryParseTimeout(timeoutHeader, out var timeout))
            {
                await GrpcResponse.WriteStatusAsync(context, GrpcStatusCode.InvalidArgument, $"grpc-timeout '{timeoutHeader}' is not a valid timeout");
                return;
            }

            deadline = DateTimeOffset.UtcNow + timeout;
            deadlineSource.CancelAfter(timeout);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadlineSource.Token, context.RequestAborted);
        try
        {
            if (requiresAuth && Options.Token is { } token && !token.Matches(context.Request.Headers.Authorization))
            {
                throw new GrpcStatusException(GrpcStatusCode.Unauthenticated, "missing or invalid credentials");
            }

            if (context.Request.Headers[GrpcProtocol.EncodingHeader] is { Count: > 0 } encoding && encoding != "identity")
            {
                throw new GrpcStatusException(GrpcStatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported; use identity");
            }

            // The request may hold slices of the pooled buffer (block-copy codecs): it is returned once the call is done.
            using var bytes = await context.Request.BodyReader.ReadMessageAsync(Options.MaxReceiveMessageSize, linked.Token)
                              ?? throw new GrpcStatusException(GrpcStatusCode.Internal, "the request has no message");
            var request = parse(bytes.Memory);

            context.Response.ContentType = GrpcProtocol.ContentType;
            await HandleCallAsync(context, request, new CallContext(linked.Token, deadline, context.Connection.RemoteIpAddress?.ToString() ?? "?"));
            await GrpcResponse.WriteStatusAsync(context, GrpcStatusCode.OK, null);
        }
        catch (GrpcStatusException e)
        {
            await GrpcResponse.WriteStatusAsync(context, e.Status, e.Detail);
        }
        catch (PsException e)
        {
            await GrpcResponse.WriteStatusAsync(context, Map(e.Code), e.Message);
        }
        catch (OperationCanceledException) when (deadlineSource.IsCancellationRequested)
        {
            await GrpcResponse.WriteStatusAsync(context, GrpcStatusCode.DeadlineExceeded, "the deadline passed before the call completed");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is no one to tell.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await GrpcResponse.WriteStatusAsync(context, GrpcStatusCode.Internal, $"internal error ({e.GetType().Name})");
        }
    }

    /// <summary>The call's own work: consume the request, write the response message(s) to the body.</summary>
    protected abstract Task HandleCallAsync(HttpContext context, TRequest request, CallContext call);

    public static GrpcStatusCode Map(PsErrorCode code) => code switch
    {
        PsErrorCode.InvalidArgument => GrpcStatusCode.InvalidArgument,
        PsErrorCode.NotFound => GrpcStatusCode.NotFound,
        PsErrorCode.FailedPrecondition => GrpcStatusCode.FailedPrecondition,
        PsErrorCode.DeadlineExceeded => GrpcStatusCode.DeadlineExceeded,
        _ => GrpcStatusCode.Unknown,
    };
}
