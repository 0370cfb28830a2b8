using System.Net.Security;
using PsTraining.Protocol.Routing;

namespace PsTraining.Protocol.Client;

/// <summary>Client-side limits and credentials of a <see cref="ParameterServerClient"/>.</summary>
public sealed record ParameterServerClientOptions
{
    /// <summary>gRPC's usual 4 MB would refuse a large model's weights: 64 MiB, as the server's default.</summary>
    public const int DefaultMaxMessageSize = 64 * 1024 * 1024;

    public int MaxReceiveMessageSize { get; init; } = DefaultMaxMessageSize;

    public int MaxSendMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>Sent as <c>authorization: Bearer &lt;token&gt;</c> on every call (call credentials).</summary>
    public string? Token { get; init; }

    /// <summary>The shard of a cluster that every call of the client names (request metadata); null outside a cluster.</summary>
    public ShardKey? Route { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>For https addresses: how to validate the server's certificate (default: the system's trust store).</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }
}
