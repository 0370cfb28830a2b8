using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>Routes each gRPC method (POST /package.Service/Method) to its handler.</summary>
public static class GrpcEndpoints
{
    public static void MapParameterServer(this IEndpointRouteBuilder app, ParameterServerService service, HealthService health, GrpcServerOptions options)
    {
        const string ps = ParameterServerService.Name;
        Unary(app, $"/{HealthService.Name}/Check", HealthCheckRequest.Parser, options, requiresAuth: false, health.Check);
        Unary(app, $"/{ps}/Register", RegisterRequest.Parser, options, requiresAuth: true, service.Register);
        Unary(app, $"/{ps}/Pull", PullRequest.Parser, options, requiresAuth: true, service.Pull);
        Unary(app, $"/{ps}/Push", PushRequest.Parser, options, requiresAuth: true, service.Push);
        Unary(app, $"/{ps}/Heartbeat", HeartbeatRequest.Parser, options, requiresAuth: true, service.Heartbeat);
        Unary(app, $"/{ps}/Leave", LeaveRequest.Parser, options, requiresAuth: true, service.Leave);
        Unary(app, $"/{ps}/GetStats", GetStatsRequest.Parser, options, requiresAuth: true, service.GetStats);
        var watch = new ServerStreamingCallHandler<WatchStatsRequest, Stats>(WatchStatsRequest.Parser, options, true, service.WatchStats);
        app.MapPost($"/{ps}/WatchStats", (RequestDelegate)watch.HandleAsync);

        // Any other path a gRPC client asks for is a method we do not have.
        app.MapFallback(context => GrpcProtocol.IsGrpcContentType(context.Request.ContentType)
            ? ServerCallHandler<HealthCheckRequest>.WriteStatus(context, GrpcStatusCode.Unimplemented, $"method {context.Request.Path} is not implemented")
            : WriteNotFound(context));
    }

    private static void Unary<TRequest, TResponse>(IEndpointRouteBuilder app, string path, MessageParser<TRequest> parser, GrpcServerOptions options,
        bool requiresAuth, Func<TRequest, CallContext, Task<TResponse>> method)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        var handler = new UnaryCallHandler<TRequest, TResponse>(parser, options, requiresAuth, method);
        app.MapPost(path, (RequestDelegate)handler.HandleAsync);
    }

    private static Task WriteNotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
