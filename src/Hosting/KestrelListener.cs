using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PsTraining.Hosting;

/// <summary>
/// One Kestrel endpoint of ours: a port (0 picks a free one) on loopback or on all interfaces, with its protocols and,
/// optionally, TLS. Once the app has started, <see cref="Port"/> is the port it got: Kestrel writes the bound endpoint
/// back into the <see cref="ListenOptions"/> it was given, so a process with two endpoints knows which port is which.
/// </summary>
public sealed class KestrelListener(int port, bool loopbackOnly, HttpProtocols protocols, Action<ListenOptions>? configure = null)
{
    private ListenOptions? _bound;

    /// <summary>The bound port; valid once the app has started.</summary>
    public int Port => _bound?.IPEndPoint?.Port ?? throw new InvalidOperationException("the listener is not bound yet: start the app first");

    /// <summary>Adds this endpoint to <paramref name="kestrel"/> (call it from ConfigureKestrel).</summary>
    public void AddTo(KestrelServerOptions kestrel)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            configure?.Invoke(listen);
            _bound = listen;
        }

        if (loopbackOnly)
        {
            kestrel.Listen(IPAddress.Loopback, port, Configure);
        }
        else
        {
            kestrel.ListenAnyIP(port, Configure);
        }
    }
}
