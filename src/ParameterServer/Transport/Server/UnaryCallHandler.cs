using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>One request message, one response message.</summary>
public sealed class UnaryCallHandler<TRequest, TResponse>(
    MessageParser<TRequest> parser, GrpcServerOptions options, bool requiresAuth, Func<TRequest, CallContext, Task<TResponse>> method)
    : ServerCallHandler<TRequest>(parser, options, requiresAuth)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    protected override async Task HandleCallAsync(HttpContext context, TRequest request, CallContext call)
    {
        var response = await method(request, call);
        await context.Response.BodyWriter.WriteMessageAsync(response, Options.MaxSendMessageSize, call.Cancellation);
    }
}
