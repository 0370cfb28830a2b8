using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.Client;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>Transport limits and security of the gRPC endpoint.</summary>
public sealed record GrpcServerOptions
{
    public int MaxReceiveMessageSize { get; init; } = ParameterServerClientOptions.DefaultMaxMessageSize;

    public int MaxSendMessageSize { get; init; } = ParameterServerClientOptions.DefaultMaxMessageSize;

    /// <summary>When set, every call of the ParameterServer service must carry it (health and reflection need none).</summary>
    public BearerToken? Token { get; init; }
}
