using PsTraining.Torch.Native;

namespace PsTraining.Torch;

/// <summary>
/// A libtorch tensor. It owns one native reference, freed by <see cref="Dispose"/>, by the innermost
/// <see cref="DisposeScope"/> open when it was created, or at the latest by the finalizer.
/// Names follow PyTorch so that code ports line by line.
/// </summary>
public partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;

    internal Tensor(TensorHandle handle)
    {
        _handle = NativeMethods.Check(handle);
        DisposeScope.Current?.Attach(this);
    }

    internal TensorHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    internal DisposeScope? Scope { get; set; }

    /// <summary>True once the native tensor has been freed.</summary>
    public bool IsDisposed => _handle.IsClosed;

    public long[] shape
    {
        get
        {
            var h = Handle;
            var result = new long[NativeMethods.PST_tensor_ndim(h)];
            unsafe
            {
                fixed (long* p = result)
                {
                    NativeMethods.PST_tensor_shape(h, p);
                }
            }

            return result;
        }
    }

    public int ndim => NativeMethods.PST_tensor_ndim(Handle);

    public ScalarType dtype => (ScalarType)NativeMethods.PST_tensor_dtype(Handle);

    public Device device
    {
        get
        {
            var h = Handle;
            return new Device((DeviceType)NativeMethods.PST_tensor_device_type(h), NativeMethods.PST_tensor_device_index(h));
        }
    }

    public bool requires_grad
    {
        get => NativeMethods.PST_tensor_requires_grad(Handle) != 0;
        set => NativeMethods.Check(NativeMethods.PST_autograd_set_requires_grad(Handle, value ? (byte)1 : (byte)0));
    }

    public bool is_leaf => NativeMethods.PST_tensor_is_leaf(Handle) != 0;

    /// <summary>The accumulated gradient, or null before the first backward pass (or after zero_grad).</summary>
    public Tensor? grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.PST_autograd_grad(Handle, out var g));
            return g == IntPtr.Zero ? null : FromRaw(g);
        }
        set
        {
            var h = Handle;
            NativeMethods.Check(NativeMethods.PST_autograd_set_grad(h, value is null ? IntPtr.Zero : value.Handle.DangerousGetHandle()));
            GC.KeepAlive(value);
        }
    }

    public long numel() => NativeMethods.PST_tensor_numel(Handle);

    public long size(int dim) => shape[dim < 0 ? dim + ndim : dim];

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    public void backward(Tensor? gradient = null, bool retain_graph = false)
    {
        NativeMethods.Check(NativeMethods.PST_autograd_backward(Handle, gradient?.Handle.DangerousGetHandle() ?? IntPtr.Zero, retain_graph ? (byte)1 : (byte)0));
        GC.KeepAlive(gradient);
    }

    /// <summary>Removes this tensor from its dispose scope, so that the scope's end does not free it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Detach(this);
        return this;
    }

    /// <summary>Hands this tensor to the scope outside its current one (or to no scope).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var outer = Scope?.Outer;
        while (outer is { IsDisposed: true })
        {
            // An outer scope closed out of order would never free the tensor: hand it further out.
            outer = outer.Outer;
        }

        Scope?.Detach(this);
        outer?.Attach(this);
        return this;
    }

    public void Dispose()
    {
        _handle.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString()
    {
        if (IsDisposed)
        {
            return "tensor(<disposed>)";
        }

        var dims = string.Join(", ", shape);
        return $"tensor(shape=[{dims}], dtype={dtype}, device={device}{(requires_grad ? ", requires_grad" : "")})";
    }

    internal static Tensor FromRaw(IntPtr raw)
    {
        var handle = new TensorHandle();
        System.Runtime.InteropServices.Marshal.InitHandle(handle, raw);
        return new Tensor(handle);
    }
}
