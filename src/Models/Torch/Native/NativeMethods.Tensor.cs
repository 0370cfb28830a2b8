using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial void PST_tensor_free(IntPtr t);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_from_data(void* data, long nbytes, int dtype, long* shape, int ndim, int deviceType, int deviceIndex, byte requiresGrad);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_new(int kind, long* shape, int ndim, double value, int dtype, int deviceType, int deviceIndex, byte requiresGrad);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_ndim(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial long PST_tensor_numel(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_dtype(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_device_type(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_device_index(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial byte PST_tensor_requires_grad(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial byte PST_tensor_is_leaf(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial void PST_tensor_shape(TensorHandle t, long* shape);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_copy_to_host(TensorHandle t, void* dst, long nbytes, int dtype);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_copy_from_host(TensorHandle t, void* src, long nbytes, int dtype);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_item(TensorHandle t, out double value);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_to(TensorHandle t, int dtype, int deviceType, int deviceIndex, byte copy);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_detach(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_clone(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_contiguous(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_tensor_alias(TensorHandle t);

    [LibraryImport(Library)]
    internal static partial int PST_tensor_set_data(TensorHandle t, TensorHandle src);

    [LibraryImport(Library)]
    internal static partial int PST_autograd_set_requires_grad(TensorHandle t, byte value);

    [LibraryImport(Library)]
    internal static partial int PST_autograd_grad(TensorHandle t, out IntPtr grad);

    [LibraryImport(Library)]
    internal static partial int PST_autograd_set_grad(TensorHandle t, IntPtr grad);

    [LibraryImport(Library)]
    internal static partial int PST_autograd_backward(TensorHandle t, IntPtr gradOutput, byte retainGraph);

    [LibraryImport(Library)]
    internal static partial byte PST_autograd_is_enabled();

    [LibraryImport(Library)]
    internal static partial void PST_autograd_set_enabled(byte enabled);

    [LibraryImport(Library)]
    internal static partial int PST_flat_gather(IntPtr* tensors, int n, float* dst, long count, byte useGrad);

    [LibraryImport(Library)]
    internal static partial int PST_flat_scatter(IntPtr* tensors, int n, float* src, long count, byte intoGrad);
}
