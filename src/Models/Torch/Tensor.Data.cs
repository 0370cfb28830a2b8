using PsTraining.Torch.Native;

namespace PsTraining.Torch;

public partial class Tensor
{
    /// <summary>The elements, converted to <typeparamref name="T"/>, copied to a new array (row-major).</summary>
    public T[] data<T>() where T : unmanaged
    {
        var result = new T[checked((int)numel())];
        copy_to(result);
        return result;
    }

    /// <summary>Copies the elements, converted to <typeparamref name="T"/>, into <paramref name="destination"/>.</summary>
    public unsafe void copy_to<T>(Span<T> destination) where T : unmanaged
    {
        var count = numel();
        if (destination.Length != count)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements but the tensor has {count}", nameof(destination));
        }

        fixed (T* p = destination)
        {
            NativeMethods.Check(NativeMethods.PST_tensor_copy_to_host(Handle, p, count * sizeof(T), (int)ScalarTypes.Of<T>()));
        }
    }

    /// <summary>Overwrites the elements from <paramref name="source"/> (converted to this tensor's dtype); not recorded by autograd.</summary>
    public unsafe Tensor copy_from<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        var count = numel();
        if (source.Length != count)
        {
            throw new ArgumentException($"source holds {source.Length} elements but the tensor has {count}", nameof(source));
        }

        fixed (T* p = source)
        {
            NativeMethods.Check(NativeMethods.PST_tensor_copy_from_host(Handle, p, count * sizeof(T), (int)ScalarTypes.Of<T>()));
        }

        return this;
    }

    /// <summary>The single element as a double (for a one-element tensor).</summary>
    public double item()
    {
        NativeMethods.Check(NativeMethods.PST_tensor_item(Handle, out var value));
        return value;
    }

    public T item<T>() where T : unmanaged => (T)Convert.ChangeType(item(), typeof(T), System.Globalization.CultureInfo.InvariantCulture);

    public Tensor to(Device target, bool copy = false) => to(dtype, target, copy);

    public Tensor to(ScalarType type, bool copy = false) => to(type, device, copy);

    public Tensor to(ScalarType type, Device target, bool copy = false)
    {
        target.EnsureAvailable();
        return new Tensor(NativeMethods.PST_tensor_to(Handle, (int)type, (int)target.Type, target.Index, copy ? (byte)1 : (byte)0));
    }

    public Tensor cpu() => to(Device.CPU);

    public Tensor cuda(int index = -1) => to(new Device(DeviceType.CUDA, index));

    public Tensor @float() => to(ScalarType.Float32);

    public Tensor @long() => to(ScalarType.Int64);

    public Tensor detach() => new(NativeMethods.PST_tensor_detach(Handle));

    public Tensor clone() => new(NativeMethods.PST_tensor_clone(Handle));

    public Tensor contiguous() => new(NativeMethods.PST_tensor_contiguous(Handle));

    /// <summary>A second handle to the same tensor (same storage, same autograd identity).</summary>
    public Tensor alias() => new(NativeMethods.PST_tensor_alias(Handle));

    /// <summary>Makes this tensor use <paramref name="source"/>'s data, keeping its own identity (PyTorch's <c>t.data = source</c>).</summary>
    public void set_data(Tensor source) => NativeMethods.Check(NativeMethods.PST_tensor_set_data(Handle, source.Handle));
}
