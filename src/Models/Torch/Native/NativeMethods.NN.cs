using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_linear(TensorHandle x, TensorHandle w, IntPtr b);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_conv2d(TensorHandle x, TensorHandle w, IntPtr b, long* stride, long* padding, long* dilation, long groups);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_conv_transpose2d(TensorHandle x, TensorHandle w, IntPtr b, long* stride, long* padding, long* outputPadding, long* dilation, long groups);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_batch_norm(TensorHandle x, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, byte training, double momentum, double eps);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_max_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, long* dilation, byte ceilMode);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_avg_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, byte ceilMode, byte countIncludePad);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_adaptive_avg_pool2d(TensorHandle x, long* outputSize);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_upsample2d(TensorHandle x, int mode, long* size, double* scale, byte alignCorners);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_nn_dropout(TensorHandle x, double p, byte training);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_loss_mse(TensorHandle input, TensorHandle target, int reduction);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_loss_cross_entropy(TensorHandle input, TensorHandle target, IntPtr weight, int reduction, long ignoreIndex, double labelSmoothing);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_loss_nll(TensorHandle input, TensorHandle target, IntPtr weight, int reduction, long ignoreIndex);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_loss_bce(TensorHandle input, TensorHandle target, IntPtr weight, int reduction);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_loss_bce_with_logits(TensorHandle input, TensorHandle target, IntPtr weight, IntPtr posWeight, int reduction);
}
