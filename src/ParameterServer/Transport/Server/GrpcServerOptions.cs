namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>Transport limits and security of the gRPC endpoint.</summary>
public sealed record GrpcServerOptions
{
    public int MaxReceiveMessageSize { get; init; } = GrpcProtocol.DefaultMaxMessageSize;

    public int MaxSendMessageSize { get; init; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>When set, every call but the health check must carry it.</summary>
    public BearerToken? Token { get; init; }
}
