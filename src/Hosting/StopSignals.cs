using System.Runtime.InteropServices;

namespace PsTraining.Hosting;

/// <summary>
/// SIGTERM (as Kubernetes and the local launcher send) and SIGINT (Ctrl-C) turned into a cancellation, so that a
/// process stops cleanly instead of being killed by the runtime's default handler.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public StopSignals()
    {
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    /// <summary>Cancelled at the first SIGTERM or SIGINT.</summary>
    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
        _stop.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}
