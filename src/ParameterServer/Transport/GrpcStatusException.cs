namespace PsTraining.ParameterServer.Transport;

/// <summary>A call that ended with a non-OK gRPC status, on either side of the wire.</summary>
public sealed class GrpcStatusException(GrpcStatusCode status, string message) : Exception($"{status}: {message}")
{
    public GrpcStatusCode Status { get; } = status;

    /// <summary>The grpc-message as sent, without the status prefix.</summary>
    public string Detail { get; } = message;
}
