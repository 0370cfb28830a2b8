using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.V1;
using PsTraining.Protocol.Wire;
using PsTraining.ParameterServer.Transport;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>Routes each gRPC method (POST /package.Service/Method) to its handler.</summary>
public static class GrpcEndpoints
{
    public static void MapParameterServer(this IEndpointRouteBuilder app, ParameterServerService service, HealthService health, GrpcServerOptions options)
    {
        const string ps = ParameterServerService.Name;
        Unary(app, $"/{HealthService.Name}/Check", HealthCheckRequest.Parser, options, requiresAuth: false, health.Check);
        Unary(app, $"/{ps}/Register", RegisterRequest.Parser, options, requiresAuth: true, service.Register);
        Unary(app, $"/{ps}/Heartbeat", HeartbeatRequest.Parser, options, requiresAuth: true, service.Heartbeat);
        Unary(app, $"/{ps}/Leave", LeaveRequest.Parser, options, requiresAuth: true, service.Leave);
        Unary(app, $"/{ps}/GetStats", GetStatsRequest.Parser, options, requiresAuth: true, service.GetStats);

        // The two calls that carry the model: weights and gradients are copied as blocks, not float by float.
        Map(app, $"/{ps}/Pull", new UnaryCallHandler<PullRequest>(d => ProtobufWriter.Parse(PullRequest.Parser, d), options, true, service.Pull).HandleAsync);
        Map(app, $"/{ps}/Push", new UnaryCallHandler<PushWire>(PushWire.Parse, options, true, service.Push).HandleAsync);

        var watch = new ServerStreamingCallHandler<WatchStatsRequest>(d => ProtobufWriter.Parse(WatchStatsRequest.Parser, d), options, true,
            (r, send, c) => service.WatchStats(r, stats => send(new ProtobufWriter(stats)), c));
        Map(app, $"/{ps}/WatchStats", watch.HandleAsync);

        // Any other path a gRPC client asks for is a method we do not have.
        app.MapFallback(context => GrpcProtocol.IsGrpcContentType(context.Request.ContentType)
            ? GrpcResponse.WriteStatusAsync(context, GrpcStatusCode.Unimplemented, $"method {context.Request.Path} is not implemented")
            : WriteNotFound(context));
    }

    private static void Unary<TRequest, TResponse>(IEndpointRouteBuilder app, string path, MessageParser<TRequest> parser, GrpcServerOptions options,
        bool requiresAuth, Func<TRequest, CallContext, Task<TResponse>> method)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        var handler = new UnaryCallHandler<TRequest>(d => ProtobufWriter.Parse(parser, d), options, requiresAuth,
            async (r, c) => new ProtobufWriter(await method(r, c)));
        Map(app, path, handler.HandleAsync);
    }

    private static void Map(IEndpointRouteBuilder app, string path, RequestDelegate handler) => app.MapPost(path, handler);

    private static Task WriteNotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
