using TorchSharp;

namespace PsTraining.Models.Torch;

/// <summary>
/// Native scalars that live as long as the process, for tensor operations that take a constant.
/// </summary>
/// <remarks>
/// TorchSharp turns a .NET number passed to a tensor operation into a new native <see cref="Scalar"/> that nothing
/// references once its handle has been read. A garbage collection that another thread starts while the operation runs in
/// libtorch can finalise it, and libtorch then reads freed memory: a CI run failed with "INTERNAL ASSERT FAILED at
/// c10/core/Scalar.h" in <c>tensor.square()</c>, which is <c>pow(2)</c> with such a scalar. Some of TorchSharp's own
/// members make one inside (<c>a + b</c> passes alpha 1, <c>square()</c> passes 2); our code passes a scalar held here,
/// in a field, or in a <c>using</c> variable instead, which <c>TemporaryScalarTests</c> checks in the compiled code
/// (<c>ScalarLifetimeTests</c> shows a passed scalar freed during the call).
/// (dotnet/TorchSharp#1434 and #1496 propose disposing these temporaries inside TorchSharp.)
/// </remarks>
public static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Two = 2.ToScalar();
    public static readonly Scalar Half = 0.5.ToScalar();
}
