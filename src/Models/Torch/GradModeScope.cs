using PsTraining.Torch.Native;

namespace PsTraining.Torch;

/// <summary>Sets libtorch's thread-local grad mode until disposed, then restores the previous mode.</summary>
public sealed class GradModeScope : IDisposable
{
    private readonly bool _previous;
    private bool _disposed;

    internal GradModeScope(bool enabled)
    {
        _previous = NativeMethods.PST_autograd_is_enabled() != 0;
        NativeMethods.PST_autograd_set_enabled(enabled ? (byte)1 : (byte)0);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            NativeMethods.PST_autograd_set_enabled(_previous ? (byte)1 : (byte)0);
        }
    }
}
