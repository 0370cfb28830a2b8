namespace PsTraining.ParameterServer.Cluster;

/// <summary>How a server joins a cluster: the membership (<see cref="Redis"/> null: localhost clustering, for one process), its silo port and identity.</summary>
public sealed record ShardClusterOptions
{
    /// <summary>host:port of the Redis that holds the membership table and the shard grains' state; null for one process with localhost clustering.</summary>
    public string? Redis { get; init; }

    /// <summary>
    /// Orleans' Kubernetes hosting as well (Redis clustering): the silo takes its name, address and cluster id from the
    /// pod (POD_NAME, POD_NAMESPACE, POD_IP, ORLEANS_SERVICE_ID, ORLEANS_CLUSTER_ID) and leaves the cluster with its pod.
    /// </summary>
    public bool Kubernetes { get; init; }

    public string ClusterId { get; init; } = "pstraining";

    /// <summary>The silo-to-silo port; 0 picks a free one, other than <see cref="ReservedPorts"/>.</summary>
    public int SiloPort { get; init; }

    /// <summary>The server's own gRPC and metrics ports, which a free silo port must not take before they are bound.</summary>
    public int[] ReservedPorts { get; init; } = [];

    /// <summary>The address this silo gives its peers; null: 127.0.0.1 when the server listens on loopback only, else the host's first address.</summary>
    public System.Net.IPAddress? AdvertisedIp { get; init; }
}
