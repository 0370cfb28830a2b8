namespace PsTraining.Torch;

/// <summary>
/// Frees every tensor created on this thread while the scope is the innermost one, when the scope is
/// disposed. Training loops stay flat in native memory without a <c>using</c> on each temporary.
/// A result that must outlive the scope is moved out with <see cref="Tensor.MoveToOuterDisposeScope"/>
/// or <see cref="Tensor.DetachFromDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? _current;

    private readonly List<Tensor> _tensors = [];
    private bool _disposed;

    internal DisposeScope()
    {
        Outer = _current;
        _current = this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>The scope that was innermost when this one opened.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>How many tensors this scope will free.</summary>
    public int Count => _tensors.Count;

    /// <summary>True once the scope has freed its tensors.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Makes this scope responsible for tensors created elsewhere (moving them out of any other scope).</summary>
    public void Include(params Tensor[] tensors)
    {
        foreach (var t in tensors)
        {
            t.Scope?.Detach(t);
            Attach(t);
        }
    }

    internal void Attach(Tensor tensor)
    {
        tensor.Scope = this;
        _tensors.Add(tensor);
    }

    internal void Detach(Tensor tensor)
    {
        // Removing from the end is the common case (the result of the last operation).
        var index = _tensors.LastIndexOf(tensor);
        if (index >= 0)
        {
            _tensors.RemoveAt(index);
        }

        tensor.Scope = null;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var tensor in _tensors)
        {
            tensor.Scope = null;
            tensor.Dispose();
        }

        _tensors.Clear();

        // Scopes close in LIFO order. If inner scopes are still open (leaked, or closed out of order), skip
        // past them too, so that no later tensor lands in a scope that has already closed.
        for (var scope = _current; scope is not null; scope = scope.Outer)
        {
            if (scope == this)
            {
                _current = Outer;
                break;
            }
        }
    }
}
