using System.Net;
using System.Net.Sockets;

namespace PsTraining.Sim.Cluster;

/// <summary>A loopback port that was free a moment ago, for a child process to listen on.</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
