using System.Net;
using System.Net.Sockets;

namespace PsTraining.Hosting;

/// <summary>A loopback port that was free a moment ago, for a child process (or a silo) to listen on.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A free port other than <paramref name="except"/>: ports picked for a process and not bound yet are free too, and
    /// the system hands a released port out again, so a second pick can land on the first.
    /// </summary>
    public static int Free(params int[] except)
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (!except.Contains(port))
            {
                return port;
            }
        }
    }
}
