using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>What every Kestrel endpoint of ours does alike: listen on loopback or on all interfaces, and say which port it got.</summary>
internal static class KestrelListener
{
    public static void Listen(KestrelServerOptions kestrel, int port, bool loopbackOnly, Action<ListenOptions> configure)
    {
        if (loopbackOnly)
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, port, configure);
        }
        else
        {
            kestrel.ListenAnyIP(port, configure);
        }
    }

    /// <summary>The port a started app listens on (the one picked when 0 was asked for).</summary>
    public static int BoundPort(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
}
