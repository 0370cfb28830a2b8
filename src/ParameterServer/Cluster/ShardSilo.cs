using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using PsTraining.Hosting;
using StackExchange.Redis;

namespace PsTraining.ParameterServer.Cluster;

/// <summary>
/// Makes the server's host an Orleans silo that places shard grains: localhost clustering for one process, Redis
/// clustering (membership table and grain state in Redis) for several, with Orleans' Kubernetes hosting in pods. The silo has no client gateway: only the silos'
/// own gRPC services call grains. Failure detection is tuned for failover within seconds on loopback or a LAN.
/// </summary>
public static class ShardSilo
{
    /// <summary>The grain storage of the shard grains' <see cref="ShardGrainState"/>.</summary>
    public const string StorageName = "shards";

    /// <summary>True inside a Kubernetes pod, where Orleans' Kubernetes hosting can reach the API server.</summary>
    public static bool InPod => Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null;

    public static void Configure(WebApplicationBuilder builder, ShardClusterOptions options, ShardHost host)
    {
        builder.Services.AddSingleton(host);
        // The host prints its own status lines; errors (a silo declared dead, an activation that failed, a call that threw)
        // go to stderr. ASP.NET Core's hosting logger stays off: once it is on, every request starts an activity and a scope.
        builder.Logging.SetMinimumLevel(LogLevel.Error).AddFilter("Microsoft.AspNetCore.Hosting", LogLevel.None).AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo =>
        {
            var siloPort = options.SiloPort == 0 ? LoopbackPort.Free(except: options.ReservedPorts) : options.SiloPort;
            if (options.Redis is { } redis)
            {
                silo.UseRedisClustering(clustering => clustering.ConfigurationOptions = RedisOptions(redis));
                silo.AddRedisGrainStorage(StorageName, storage => storage.ConfigurationOptions = RedisOptions(redis));
                silo.ConfigureEndpoints(options.AdvertisedIp ?? IPAddress.Loopback, siloPort, gatewayPort: 0, listenOnAnyHostAddress: options.AdvertisedIp is not null);
            }
            else
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort: 0);
                silo.AddMemoryGrainStorage(StorageName);
            }

            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = "pstraining";
            });
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = TimeSpan.FromSeconds(2);
                membership.NumMissedProbesLimit = 2;
                membership.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            });
            silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromSeconds(5));
            silo.Services.AddPlacementDirector<ShardPlacement, ShardPlacementDirector>();
            if (options.Kubernetes && InPod)
            {
                silo.UseKubernetesHosting(); // last: the pod's variables override the cluster id given above
            }
        });
    }

    /// <summary>Redis options that fail at once, naming the server, when it cannot be reached.</summary>
    public static ConfigurationOptions RedisOptions(string redis)
    {
        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 3000;
        return options;
    }
}
