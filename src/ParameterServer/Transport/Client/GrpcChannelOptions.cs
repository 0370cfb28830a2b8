using System.Net.Security;

namespace PsTraining.ParameterServer.Transport.Client;

/// <summary>Client-side limits and credentials.</summary>
public sealed record GrpcChannelOptions
{
    public int MaxReceiveMessageSize { get; init; } = GrpcProtocol.DefaultMaxMessageSize;

    public int MaxSendMessageSize { get; init; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Sent as <c>authorization: Bearer &lt;token&gt;</c> on every call.</summary>
    public string? Token { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>For https addresses: how to validate the server's certificate (default: the system's trust store).</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }
}
