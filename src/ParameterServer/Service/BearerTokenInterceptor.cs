using Grpc.Core;
using Grpc.Core.Interceptors;

namespace PsTraining.ParameterServer.Service;

/// <summary>
/// Every call of the ParameterServer service must carry <c>authorization: Bearer &lt;token&gt;</c> (compared in constant
/// time); the health and reflection services are registered without it, so probes and tools need no token.
/// </summary>
internal sealed class BearerTokenInterceptor(BearerToken token) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    /// <summary>A refusal says nothing that would help a guesser.</summary>
    private void Authorize(ServerCallContext context)
    {
        if (!token.Matches(context.RequestHeaders.GetValue("authorization")))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or invalid credentials"));
        }
    }
}
