using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Deploy.Tests;

/// <summary>
/// No method of ours hands libtorch a native scalar that only the finaliser frees, which a garbage collection started by
/// another thread can free while libtorch still reads it (<see cref="Scalars"/> tells the failure). Which of
/// TorchSharp's members make one is read from TorchSharp's own IL, not listed here: a method that converts a number to a
/// Scalar implicitly, or makes one with ToScalar and disposes nothing, and every method that calls one of those
/// (<c>a + b</c> is <c>a.add(b)</c>, which is <c>a.add(b, 1)</c>). A constructor may make one for a field to hold.
/// A call through a virtual member names the member, not what runs: the layers of the models a learner trains are
/// looked up by type instead, and what the experiments run inside TorchSharp (an optimiser's step, BatchNorm's forward)
/// is safe only where no other thread allocates meanwhile (docs/torchsharp.md).
/// </summary>
public sealed class TemporaryScalarTests
{
    private const string Tensor = "TorchSharp.torch/Tensor";

    private static readonly Lazy<HashSet<string>> TorchSharpMembersThatLeaveScalars =
        new(() => ThatLeaveScalars(CompiledMethod.Read(typeof(torch).Assembly.Location)));

    [Fact]
    public void No_method_of_ours_leaves_a_native_scalar_to_the_finaliser()
    {
        var ours = Directory.GetFiles(AppContext.BaseDirectory, "PsTraining.*.dll")
            .Where(path => !path.EndsWith(".Tests.dll", StringComparison.Ordinal) && !path.EndsWith(".TestSupport.dll", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var projects = Directory.GetFiles(Repository.Path("src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Repository.Path("proto"), "*.csproj"))
            .Select(project => Path.GetFileNameWithoutExtension(project) + ".dll");
        Assert.Equal(projects.Order(StringComparer.Ordinal), ours.Select(Path.GetFileName));

        var found = ours.SelectMany(Offences).ToList();
        Assert.True(found.Count == 0, "pass a scalar held in Scalars, a field or a using variable instead:\n" + string.Join("\n", found));
    }

    /// <summary>
    /// A learner's step runs its model's layers through their virtual forward, which the check above cannot follow: the
    /// models a learner trains (those without buffers, which <c>ShardGradients</c> refuses) are built here and each of
    /// TorchSharp's layers in them is looked up. BatchNorm's forward leaves one (for its batch count), so only the
    /// models a learner refuses may hold it.
    /// </summary>
    [Fact]
    public void The_layers_of_every_model_a_learner_trains_leave_no_native_scalar()
    {
        var leaving = new List<string>();
        var refusedWithBatchNorm = 0;
        foreach (var name in ModelRegistry.Names)
        {
            using var model = ModelRegistry.Create(name);
            // The forward that runs: BatchNorm2d's is BatchNorm's.
            var forwards = model.modules().Select(m => m.GetType().GetMethod("forward", [typeof(Tensor)])?.DeclaringType)
                .Where(t => t?.Assembly == typeof(torch).Assembly).Distinct()
                .Select(t => $"{t!.FullName!.Replace('+', '/')}::forward({Tensor}){Tensor}");
            var found = forwards.Where(TorchSharpMembersThatLeaveScalars.Value.Contains).ToList();
            if (model.named_buffers().Any())
            {
                Assert.All(found, layer => Assert.StartsWith("TorchSharp.Modules.BatchNorm::", layer, StringComparison.Ordinal));
                refusedWithBatchNorm += found.Count;
                continue;
            }

            leaving.AddRange(found.Select(layer => $"{name}: {layer}"));
        }

        Assert.True(refusedWithBatchNorm > 0, "no model's BatchNorm was found: the lookup of forwards is broken");
        Assert.True(leaving.Count == 0, "layers of models a learner trains that leave a native scalar to the finaliser:\n" + string.Join("\n", leaving));
    }

    [Fact]
    public void The_check_finds_what_TorchSharp_makes_inside_and_what_a_method_makes_itself()
    {
        Assert.Contains($"{Tensor}::square(){Tensor}", TorchSharpMembersThatLeaveScalars.Value);
        Assert.Contains($"{Tensor}::op_Addition({Tensor},{Tensor}){Tensor}", TorchSharpMembersThatLeaveScalars.Value);
        Assert.Contains("TorchSharp.Modules.SGD::step(System.Func`1<TorchSharp.torch/Tensor>)TorchSharp.torch/Tensor", TorchSharpMembersThatLeaveScalars.Value);
        Assert.DoesNotContain($"{Tensor}::pow(TorchSharp.Scalar){Tensor}", TorchSharpMembersThatLeaveScalars.Value);

        var found = Offences(typeof(TemporaryScalarTests).Assembly.Location).ToList();
        Assert.Equal(3, found.Count);
        Assert.All(new[] { nameof(Examples.Doubled), nameof(Examples.Squared), nameof(Examples.Filled) }, name => Assert.Contains(found, f => f.Contains($"::{name}(", StringComparison.Ordinal)));
    }

    /// <summary>What the check must find (the first three) and let pass (the last two) in this assembly; never run.</summary>
    internal static class Examples
    {
        public static Tensor Doubled(Tensor t) => t * 2.0;
        public static Tensor Squared(Tensor t) => t.square();
        public static Tensor Filled(Tensor t) => t.fill_(0.5.ToScalar());
        public static Tensor Held(Tensor t) => t.pow(Scalars.Two);

        public static Tensor Disposed(Tensor t)
        {
            using var half = 0.5.ToScalar();
            return t.mul(half);
        }
    }

    /// <summary>Each method of the assembly that makes a scalar it leaves, or calls a TorchSharp member that does.</summary>
    private static IEnumerable<string> Offences(string assembly) =>
        from method in CompiledMethod.Read(assembly)
        let calls = method.Calls.Where(TorchSharpMembersThatLeaveScalars.Value.Contains).Distinct().ToList()
        where calls.Count > 0 || LeavesAScalar(method)
        select $"{Path.GetFileName(assembly)}: {method.Name} {(calls.Count > 0 ? "calls " + string.Join(", ", calls) : "makes a scalar it does not dispose")}";

    /// <summary>The methods that leave a scalar, and every method that calls one of them, to any depth.</summary>
    private static HashSet<string> ThatLeaveScalars(List<CompiledMethod> methods)
    {
        var leaving = methods.Where(LeavesAScalar).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var method in methods)
            {
                grew |= !leaving.Contains(method.Name) && method.Calls.Any(leaving.Contains) && leaving.Add(method.Name);
            }
        }

        return leaving;
    }

    private static bool LeavesAScalar(CompiledMethod method) =>
        !method.IsConstructor
        && (method.Calls.Any(c => c.StartsWith("TorchSharp.Scalar::op_Implicit(", StringComparison.Ordinal))
            || (method.Calls.Any(c => c.Contains("::ToScalar(", StringComparison.Ordinal) && c.EndsWith(")TorchSharp.Scalar", StringComparison.Ordinal))
                && !method.Calls.Any(c => c is "TorchSharp.Scalar::Dispose()Void" or "System.IDisposable::Dispose()Void")));
}
