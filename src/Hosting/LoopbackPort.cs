using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PsTraining.Hosting;

/// <summary>A loopback port that was free a moment ago, for a child process (or a silo) to listen on.</summary>
public static class LoopbackPort
{
    /// <summary>Where our picks start: above the ports that services are usually given (Redis 6379, Prometheus 9090, /metrics 9464).</summary>
    private const int Lowest = 10_000;

    private static readonly Lazy<int> EphemeralStart = new(ReadEphemeralStart);
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A free port other than <paramref name="except"/>, and never one this process has handed out before. It is drawn
    /// below the system's ephemeral range (net.ipv4.ip_local_port_range), where the system itself never puts a socket:
    /// a port picked here and bound a moment later by a child cannot meanwhile be given to a socket bound to port 0 (a
    /// sibling's silo) or be the source port of an outgoing connection, which, aimed at a port that nobody listens on
    /// yet, can even connect to itself and hold the port. Both happened with picks from the system (a bind to port 0).
    /// </summary>
    public static int Free(params int[] except)
    {
        var range = EphemeralStart.Value - Lowest;
        for (var attempt = 0; attempt < 1000 && range > 0; attempt++)
        {
            var port = Lowest + Random.Shared.Next(range);
            lock (HandedOut)
            {
                if (!except.Contains(port) && !HandedOut.Contains(port) && CanListen(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        // No room below the ephemeral range (a system configured so): the system's pick.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanListen(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the system's ephemeral range (32768, Linux's default, where it cannot be read).</summary>
    private static int ReadEphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
