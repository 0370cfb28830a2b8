using Microsoft.AspNetCore.Http;
using PsTraining.Protocol.Wire;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>One request message, a stream of response messages until the method returns or the call is cancelled.</summary>
public sealed class ServerStreamingCallHandler<TRequest>(
    Func<ReadOnlyMemory<byte>, TRequest> parse, GrpcServerOptions options, bool requiresAuth, Func<TRequest, Func<IWireWriter, Task>, CallContext, Task> method)
    : ServerCallHandler<TRequest>(parse, options, requiresAuth)
{
    protected override Task HandleCallAsync(HttpContext context, TRequest request, CallContext call) =>
        method(request, response => context.Response.BodyWriter.WriteMessageAsync(response, Options.MaxSendMessageSize, call.Cancellation).AsTask(), call);
}
