using PsTraining.Hosting.Metrics;
using PsTraining.ParameterServer.Service;
using PsTraining.Protocol.Client;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>Where and how the server listens: the gRPC endpoint with its limits, token and TLS, and the metrics.</summary>
public sealed record ServerHostOptions
{
    /// <summary>The gRPC port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Listen on 127.0.0.1 only (the default), or on every interface.</summary>
    public bool LoopbackOnly { get; init; } = true;

    /// <summary>A PKCS#12 certificate: gRPC over TLS instead of h2c.</summary>
    public string? CertificatePath { get; init; }

    public string? CertificatePassword { get; init; }

    public int MaxReceiveMessageSize { get; init; } = ParameterServerClientOptions.DefaultMaxMessageSize;

    public int MaxSendMessageSize { get; init; } = ParameterServerClientOptions.DefaultMaxMessageSize;

    /// <summary>When set, every call of the ParameterServer service must carry it (health and reflection need none).</summary>
    public BearerToken? Token { get; init; }

    /// <summary>The model's registry name, as GetRoutes reports it.</summary>
    public string Model { get; init; } = "";

    /// <summary>When set, the server exports its metrics (and ASP.NET Core's and the runtime's) as these say.</summary>
    public MetricsOptions? Metrics { get; init; }
}
