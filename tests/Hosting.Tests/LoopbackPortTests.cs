using System.Net;
using System.Net.Sockets;

namespace PsTraining.Hosting.Tests;

/// <summary>Ports picked for children to listen on: free, never twice, and below the system's ephemeral range.</summary>
public sealed class LoopbackPortTests
{
    [Fact]
    public void Picks_are_free_distinct_and_below_the_ephemeral_range()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 200).Select(_ => LoopbackPort.Free()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 10_000, ephemeralStart - 1));
        foreach (var port in ports.Take(5))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start(); // free when picked, and nothing here took it since
        }
    }
}
