using Grpc.Core;
using Grpc.Core.Interceptors;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Service;

/// <summary>The one place where the core's refusals (<see cref="PsException"/>) become gRPC statuses, with the core's message.</summary>
internal sealed class CoreErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (PsException e)
        {
            throw ToRpc(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (PsException e)
        {
            throw ToRpc(e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (PsException e)
        {
            throw ToRpc(e);
        }
    }

    public static StatusCode Map(PsErrorCode code) => code switch
    {
        PsErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        PsErrorCode.NotFound => StatusCode.NotFound,
        PsErrorCode.FailedPrecondition => StatusCode.FailedPrecondition,
        PsErrorCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
        _ => StatusCode.Unknown,
    };

    private static RpcException ToRpc(PsException e) => new(new Status(Map(e.Code), e.Message));
}
