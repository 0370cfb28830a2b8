using System.Runtime.CompilerServices;
using PsTraining.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests.Torch;

/// <summary>
/// Why <see cref="Scalars"/> exists: a Scalar handed to a TorchSharp operation is garbage once the operation has read its
/// handle, so a collection while libtorch runs finalises it and frees the native scalar under libtorch (what failed a CI
/// run at c10/core/Scalar.h). A scalar in a <c>using</c> variable lives through the call. Should TorchSharp come to keep
/// its arguments alive (dotnet/TorchSharp#1434), the first case fails, and the workaround can go.
/// </summary>
public sealed class ScalarLifetimeTests : IDisposable
{
    private readonly Tensor _large = randn(20_000_000); // one pow over it runs for tens of milliseconds
    private readonly Tensor _small = randn(4);

    [Fact]
    public void A_scalar_passed_to_an_operation_is_freed_while_libtorch_runs_it_and_a_held_one_is_not()
    {
        // TorchSharp's pow drops its argument only once it runs as optimised code: warm it up until it does.
        var freed = false;
        for (var attempt = 0; attempt < 50 && !freed; attempt++)
        {
            for (var i = 0; i < 100; i++)
            {
                _small.pow(Scalars.Two).Dispose();
            }

            Thread.Sleep(100);
            freed = FreedDuringTheCall(Passed);
        }

        Assert.True(freed, "a passed scalar was never freed during the call: TorchSharp may now keep it alive (see Scalars)");
        Assert.All(Enumerable.Range(0, 5), _ => Assert.False(FreedDuringTheCall(Held)));
    }

    public void Dispose()
    {
        _large.Dispose();
        _small.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="pow"/> on the large tensor while another thread, once the scalar exists, collects and runs the
    /// finalisers; says whether the scalar was gone before the call returned.
    /// </summary>
    private bool FreedDuringTheCall(Func<Tensor, Func<Scalar>, Tensor> pow)
    {
        WeakReference? scalar = null;
        var (made, returned, freed) = (false, false, false);
        var collector = new Thread(() =>
        {
            SpinWait.SpinUntil(() => Volatile.Read(ref made));
            Thread.Sleep(5);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            freed = !scalar!.IsAlive && !Volatile.Read(ref returned);
        });
        collector.Start();
        pow(_large, () =>
        {
            var s = 2.5.ToScalar();
            scalar = new WeakReference(s);
            Volatile.Write(ref made, true);
            return s;
        }).Dispose();
        Volatile.Write(ref returned, true);
        collector.Join();
        return freed;
    }

    // Compiled fully optimised at once, as a caller that has run a while is.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Tensor Passed(Tensor t, Func<Scalar> exponent) => t.pow(exponent());

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Tensor Held(Tensor t, Func<Scalar> exponent)
    {
        using var held = exponent();
        return t.pow(held);
    }
}
