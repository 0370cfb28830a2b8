using Microsoft.AspNetCore.Http;
using PsTraining.Protocol.Wire;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>One request message, one response message.</summary>
public sealed class UnaryCallHandler<TRequest>(
    Func<ReadOnlyMemory<byte>, TRequest> parse, GrpcServerOptions options, bool requiresAuth, Func<TRequest, CallContext, Task<IWireWriter>> method)
    : ServerCallHandler<TRequest>(parse, options, requiresAuth)
{
    protected override async Task HandleCallAsync(HttpContext context, TRequest request, CallContext call)
    {
        var response = await method(request, call);
        try
        {
            await context.Response.BodyWriter.WriteMessageAsync(response, Options.MaxSendMessageSize, call.Cancellation);
        }
        finally
        {
            (response as IDisposable)?.Dispose(); // a writer over a pooled buffer gives it back
        }
    }
}
