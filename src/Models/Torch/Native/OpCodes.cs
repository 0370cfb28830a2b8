namespace PsTraining.Torch.Native;

/// <summary>Operation codes of the generic native entry points; they mirror the switches in Native/src/ops.cpp.</summary>
internal static class OpCodes
{
    internal enum Unary
    {
        Neg, Relu, Sigmoid, Tanh, Exp, Log, Sqrt, Abs, Sin, Cos, Square, Sign, Floor, Reciprocal, IsNan, IsFinite,
    }

    internal enum Binary
    {
        Add, Sub, Mul, Div, MatMul, Pow, Eq, Ne, Lt, Gt, Le, Ge, Maximum, Minimum,
    }

    internal enum Scalar
    {
        Add, Sub, Mul, Div, Pow, RSub, Eq, Lt, Gt, ClampMin, ClampMax, RDiv,
    }

    internal enum Reduce
    {
        Sum, Mean, Max, Min, ArgMax, ArgMin, Var, Std, Norm,
    }

    internal enum InplaceBinary
    {
        Add, Mul, Div, Copy, Maximum, Lerp,
    }

    internal enum InplaceScalar
    {
        Add, Mul, Fill, Zero, Sqrt, Uniform, Normal, Clamp,
    }

    internal enum Ternary
    {
        AddCMul, AddCDiv,
    }
}
