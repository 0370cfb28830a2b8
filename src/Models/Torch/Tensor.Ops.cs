using PsTraining.Torch.Native;

namespace PsTraining.Torch;

public partial class Tensor
{
    internal Tensor Unary(OpCodes.Unary op) => new(NativeMethods.PST_op_unary(op, Handle));

    internal Tensor Binary(OpCodes.Binary op, Tensor other, double alpha = 1) => new(NativeMethods.PST_op_binary(op, Handle, other.Handle, alpha));

    internal Tensor Scalar(OpCodes.Scalar op, double value) => new(NativeMethods.PST_op_scalar(op, Handle, value));

    internal unsafe Tensor Reduce(OpCodes.Reduce op, ReadOnlySpan<long> dims, bool keepdim)
    {
        fixed (long* p = dims)
        {
            return new Tensor(NativeMethods.PST_op_reduce(op, Handle, p, dims.Length, keepdim ? (byte)1 : (byte)0));
        }
    }

    // ---- element-wise --------------------------------------------------------------------------

    public Tensor neg() => Unary(OpCodes.Unary.Neg);

    public Tensor relu() => Unary(OpCodes.Unary.Relu);

    public Tensor sigmoid() => Unary(OpCodes.Unary.Sigmoid);

    public Tensor tanh() => Unary(OpCodes.Unary.Tanh);

    public Tensor exp() => Unary(OpCodes.Unary.Exp);

    public Tensor log() => Unary(OpCodes.Unary.Log);

    public Tensor sqrt() => Unary(OpCodes.Unary.Sqrt);

    public Tensor abs() => Unary(OpCodes.Unary.Abs);

    public Tensor sin() => Unary(OpCodes.Unary.Sin);

    public Tensor cos() => Unary(OpCodes.Unary.Cos);

    public Tensor square() => Unary(OpCodes.Unary.Square);

    public Tensor sign() => Unary(OpCodes.Unary.Sign);

    public Tensor floor() => Unary(OpCodes.Unary.Floor);

    public Tensor reciprocal() => Unary(OpCodes.Unary.Reciprocal);

    public Tensor isnan() => Unary(OpCodes.Unary.IsNan);

    public Tensor isfinite() => Unary(OpCodes.Unary.IsFinite);

    public Tensor add(Tensor other, double alpha = 1) => Binary(OpCodes.Binary.Add, other, alpha);

    public Tensor add(double value) => Scalar(OpCodes.Scalar.Add, value);

    public Tensor sub(Tensor other, double alpha = 1) => Binary(OpCodes.Binary.Sub, other, alpha);

    public Tensor sub(double value) => Scalar(OpCodes.Scalar.Sub, value);

    public Tensor mul(Tensor other) => Binary(OpCodes.Binary.Mul, other);

    public Tensor mul(double value) => Scalar(OpCodes.Scalar.Mul, value);

    public Tensor div(Tensor other) => Binary(OpCodes.Binary.Div, other);

    public Tensor div(double value) => Scalar(OpCodes.Scalar.Div, value);

    public Tensor pow(Tensor exponent) => Binary(OpCodes.Binary.Pow, exponent);

    public Tensor pow(double exponent) => Scalar(OpCodes.Scalar.Pow, exponent);

    public Tensor matmul(Tensor other) => Binary(OpCodes.Binary.MatMul, other);

    public Tensor mm(Tensor other) => matmul(other);

    public Tensor eq(Tensor other) => Binary(OpCodes.Binary.Eq, other);

    public Tensor eq(double value) => Scalar(OpCodes.Scalar.Eq, value);

    public Tensor ne(Tensor other) => Binary(OpCodes.Binary.Ne, other);

    public Tensor lt(Tensor other) => Binary(OpCodes.Binary.Lt, other);

    public Tensor lt(double value) => Scalar(OpCodes.Scalar.Lt, value);

    public Tensor gt(Tensor other) => Binary(OpCodes.Binary.Gt, other);

    public Tensor gt(double value) => Scalar(OpCodes.Scalar.Gt, value);

    public Tensor le(Tensor other) => Binary(OpCodes.Binary.Le, other);

    public Tensor ge(Tensor other) => Binary(OpCodes.Binary.Ge, other);

    public Tensor maximum(Tensor other) => Binary(OpCodes.Binary.Maximum, other);

    public Tensor minimum(Tensor other) => Binary(OpCodes.Binary.Minimum, other);

    public Tensor clamp_min(double min) => Scalar(OpCodes.Scalar.ClampMin, min);

    public Tensor clamp_max(double max) => Scalar(OpCodes.Scalar.ClampMax, max);

    public Tensor clamp(double min, double max) => new(NativeMethods.PST_op_clamp(Handle, min, max));

    public Tensor softmax(long dim) => new(NativeMethods.PST_op_softmax(Handle, dim, 0));

    public Tensor log_softmax(long dim) => new(NativeMethods.PST_op_softmax(Handle, dim, 1));

    // ---- reductions -----------------------------------------------------------------------------

    public Tensor sum() => Reduce(OpCodes.Reduce.Sum, [], false);

    public Tensor sum(long dim, bool keepdim = false) => Reduce(OpCodes.Reduce.Sum, [dim], keepdim);

    public Tensor sum(long[] dims, bool keepdim = false) => Reduce(OpCodes.Reduce.Sum, dims, keepdim);

    public Tensor mean() => Reduce(OpCodes.Reduce.Mean, [], false);

    public Tensor mean(long dim, bool keepdim = false) => Reduce(OpCodes.Reduce.Mean, [dim], keepdim);

    public Tensor mean(long[] dims, bool keepdim = false) => Reduce(OpCodes.Reduce.Mean, dims, keepdim);

    public Tensor max() => Reduce(OpCodes.Reduce.Max, [], false);

    public Tensor max(long dim, bool keepdim = false) => Reduce(OpCodes.Reduce.Max, [dim], keepdim);

    public Tensor min() => Reduce(OpCodes.Reduce.Min, [], false);

    public Tensor min(long dim, bool keepdim = false) => Reduce(OpCodes.Reduce.Min, [dim], keepdim);

    public Tensor argmax() => Reduce(OpCodes.Reduce.ArgMax, [], false);

    public Tensor argmax(long dim, bool keepdim = false) => Reduce(OpCodes.Reduce.ArgMax, [dim], keepdim);

    public Tensor argmin(long dim, bool keepdim = false) => Reduce(OpCodes.Reduce.ArgMin, [dim], keepdim);

    /// <summary>Unbiased variance, as torch.var.</summary>
    public Tensor var() => Reduce(OpCodes.Reduce.Var, [], false);

    public Tensor var(long dim, bool keepdim = false) => Reduce(OpCodes.Reduce.Var, [dim], keepdim);

    public Tensor std() => Reduce(OpCodes.Reduce.Std, [], false);

    /// <summary>The Euclidean norm of all elements.</summary>
    public Tensor norm() => Reduce(OpCodes.Reduce.Norm, [], false);

    // ---- shape ----------------------------------------------------------------------------------

    public unsafe Tensor reshape(params long[] newShape)
    {
        fixed (long* p = newShape)
        {
            return new Tensor(NativeMethods.PST_op_reshape(Handle, p, newShape.Length));
        }
    }

    public Tensor view(params long[] newShape) => reshape(newShape);

    public unsafe Tensor expand(params long[] newShape)
    {
        fixed (long* p = newShape)
        {
            return new Tensor(NativeMethods.PST_op_expand(Handle, p, newShape.Length));
        }
    }

    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* p = dims)
        {
            return new Tensor(NativeMethods.PST_op_permute(Handle, p, dims.Length));
        }
    }

    public Tensor flatten(long start_dim = 0, long end_dim = -1) => new(NativeMethods.PST_op_flatten(Handle, start_dim, end_dim));

    public Tensor transpose(long dim0, long dim1) => new(NativeMethods.PST_op_transpose(Handle, dim0, dim1));

    /// <summary>The transpose of a matrix (PyTorch's <c>t.T</c> for 2-D tensors).</summary>
    public Tensor T => transpose(0, 1);

    public Tensor squeeze(long dim) => new(NativeMethods.PST_op_squeeze(Handle, dim));

    public Tensor unsqueeze(long dim) => new(NativeMethods.PST_op_unsqueeze(Handle, dim));

    public Tensor narrow(long dim, long start, long length) => new(NativeMethods.PST_op_narrow(Handle, dim, start, length));

    public Tensor select(long dim, long index) => new(NativeMethods.PST_op_select(Handle, dim, index));

    public Tensor index_select(long dim, Tensor index) => new(NativeMethods.PST_op_index_select(Handle, dim, index.Handle));

    /// <summary>Row <paramref name="index"/> along the first dimension.</summary>
    public Tensor this[long index] => select(0, index);

    // ---- operators ------------------------------------------------------------------------------

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);

    public static Tensor operator +(Tensor a, double b) => a.add(b);

    public static Tensor operator +(double a, Tensor b) => b.add(a);

    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);

    public static Tensor operator -(Tensor a, double b) => a.sub(b);

    public static Tensor operator -(double a, Tensor b) => b.Scalar(OpCodes.Scalar.RSub, a);

    public static Tensor operator -(Tensor a) => a.neg();

    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);

    public static Tensor operator *(Tensor a, double b) => a.mul(b);

    public static Tensor operator *(double a, Tensor b) => b.mul(a);

    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);

    public static Tensor operator /(Tensor a, double b) => a.div(b);

    public static Tensor operator /(double a, Tensor b) => b.Scalar(OpCodes.Scalar.RDiv, a);

    // ---- in place (never recorded by autograd: for optimisers and initialisers) ------------------

    private Tensor InplaceBinary(OpCodes.InplaceBinary op, Tensor other, double alpha = 1)
    {
        NativeMethods.Check(NativeMethods.PST_inplace_binary(op, Handle, other.Handle, alpha));
        return this;
    }

    private Tensor InplaceScalar(OpCodes.InplaceScalar op, double s = 0, double s2 = 0)
    {
        NativeMethods.Check(NativeMethods.PST_inplace_scalar(op, Handle, s, s2));
        return this;
    }

    private Tensor InplaceTernary(OpCodes.Ternary op, Tensor b, Tensor c, double value)
    {
        NativeMethods.Check(NativeMethods.PST_inplace_ternary(op, Handle, b.Handle, c.Handle, value));
        return this;
    }

    public Tensor add_(Tensor other, double alpha = 1) => InplaceBinary(OpCodes.InplaceBinary.Add, other, alpha);

    public Tensor add_(double value) => InplaceScalar(OpCodes.InplaceScalar.Add, value);

    public Tensor mul_(Tensor other) => InplaceBinary(OpCodes.InplaceBinary.Mul, other);

    public Tensor mul_(double value) => InplaceScalar(OpCodes.InplaceScalar.Mul, value);

    public Tensor div_(Tensor other) => InplaceBinary(OpCodes.InplaceBinary.Div, other);

    public Tensor copy_(Tensor source) => InplaceBinary(OpCodes.InplaceBinary.Copy, source);

    public Tensor maximum_(Tensor other) => InplaceBinary(OpCodes.InplaceBinary.Maximum, other);

    public Tensor lerp_(Tensor end, double weight) => InplaceBinary(OpCodes.InplaceBinary.Lerp, end, weight);

    public Tensor fill_(double value) => InplaceScalar(OpCodes.InplaceScalar.Fill, value);

    public Tensor zero_() => InplaceScalar(OpCodes.InplaceScalar.Zero);

    public Tensor sqrt_() => InplaceScalar(OpCodes.InplaceScalar.Sqrt);

    public Tensor uniform_(double from = 0, double to = 1)
    {
        using var draw = Reproducible.Draw();
        return InplaceScalar(OpCodes.InplaceScalar.Uniform, from, to);
    }

    public Tensor normal_(double mean = 0, double std = 1)
    {
        using var draw = Reproducible.Draw();
        return InplaceScalar(OpCodes.InplaceScalar.Normal, mean, std);
    }

    public Tensor clamp_(double min, double max) => InplaceScalar(OpCodes.InplaceScalar.Clamp, min, max);

    public Tensor addcmul_(Tensor tensor1, Tensor tensor2, double value = 1) => InplaceTernary(OpCodes.Ternary.AddCMul, tensor1, tensor2, value);

    public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, double value = 1) => InplaceTernary(OpCodes.Ternary.AddCDiv, tensor1, tensor2, value);
}
