using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_unary(OpCodes.Unary op, TensorHandle a);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_binary(OpCodes.Binary op, TensorHandle a, TensorHandle b, double alpha);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_scalar(OpCodes.Scalar op, TensorHandle a, double s);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_reduce(OpCodes.Reduce op, TensorHandle a, long* dims, int ndims, byte keepdim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_reshape(TensorHandle a, long* shape, int ndim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_expand(TensorHandle a, long* shape, int ndim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_permute(TensorHandle a, long* dims, int ndim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_flatten(TensorHandle a, long start, long end);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_transpose(TensorHandle a, long d0, long d1);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_squeeze(TensorHandle a, long dim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_unsqueeze(TensorHandle a, long dim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_narrow(TensorHandle a, long dim, long start, long length);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_select(TensorHandle a, long dim, long index);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_index_select(TensorHandle a, long dim, TensorHandle index);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_cat(IntPtr* tensors, int n, long dim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_stack(IntPtr* tensors, int n, long dim);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_where(TensorHandle cond, TensorHandle a, TensorHandle b);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_clamp(TensorHandle a, double lo, double hi);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_softmax(TensorHandle a, long dim, byte log);

    [LibraryImport(Library)]
    internal static partial TensorHandle PST_op_one_hot(TensorHandle a, long classes);

    [LibraryImport(Library)]
    internal static partial int PST_inplace_binary(OpCodes.InplaceBinary op, TensorHandle a, TensorHandle b, double alpha);

    [LibraryImport(Library)]
    internal static partial int PST_inplace_scalar(OpCodes.InplaceScalar op, TensorHandle a, double s, double s2);

    [LibraryImport(Library)]
    internal static partial int PST_inplace_ternary(OpCodes.Ternary op, TensorHandle a, TensorHandle b, TensorHandle c, double value);
}
