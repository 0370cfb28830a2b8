using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>One request message, a stream of response messages until the method returns or the call is cancelled.</summary>
public sealed class ServerStreamingCallHandler<TRequest, TResponse>(
    MessageParser<TRequest> parser, GrpcServerOptions options, bool requiresAuth, Func<TRequest, Func<TResponse, Task>, CallContext, Task> method)
    : ServerCallHandler<TRequest>(parser, options, requiresAuth)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    protected override Task HandleCallAsync(HttpContext context, TRequest request, CallContext call) =>
        method(request, response => context.Response.BodyWriter.WriteMessageAsync(response, Options.MaxSendMessageSize, call.Cancellation).AsTask(), call);
}
