using PsTraining.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests;

/// <summary>
/// Loads the PyTorch reference fixtures written by tests/reference/make_fixtures.py (torch.save files of named
/// tensors, read through TorchSharp.PyBridge), and compares our tensors with them. Large tensors are stored as a
/// strided sample plus their sum and sum of squares (see the script); both forms are checked within a relative tolerance.
/// </summary>
internal static class Fixtures
{
    public const double RelativeTolerance = 1e-4;

    /// <summary>Must match SAMPLES in make_fixtures.py.</summary>
    private const int Samples = 2000;

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", file);

    /// <summary>Every tensor of a fixture by name; the tensors join the caller's dispose scope, if any.</summary>
    public static Dictionary<string, Tensor> Load(string file) => StateDictFile.Load(PathOf(file));

    /// <summary>The elements of any tensor (any dtype, device or layout) as doubles, in row-major order.</summary>
    public static double[] Values(Tensor t)
    {
        if (t.numel() == 0)
        {
            return []; // TorchSharp's TensorAccessor.ToArray throws on an empty tensor
        }

        using var scope = NewDisposeScope();
        return t.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    /// <summary>Asserts that <paramref name="actual"/> matches the fixture entry <paramref name="key"/> (whole or sampled).</summary>
    public static void AssertClose(IReadOnlyDictionary<string, Tensor> expected, string key, Tensor actual, double relativeTolerance = RelativeTolerance)
    {
        if (!actual.is_floating_point())
        {
            // Integer entries (labels, num_batches_tracked) are exact on both sides.
            Assert.True(expected.ContainsKey(key), $"fixture has no entry '{key}'");
            Assert.Equal(Values(expected[key]), Values(actual));
            return;
        }

        if (expected.TryGetValue(key, out var whole))
        {
            Assert.True(whole.shape.AsSpan().SequenceEqual(actual.shape),
                $"{key}: shape [{string.Join(",", actual.shape)}] but PyTorch has [{string.Join(",", whole.shape)}]");
            AssertClose(key, Values(whole), Values(actual), relativeTolerance);
            return;
        }

        Assert.True(expected.ContainsKey(key + "@sample"), $"fixture has no entry '{key}'");
        var values = Values(actual);
        AssertClose(key + "@sample", Values(expected[key + "@sample"]), Sample(values), relativeTolerance);

        var sum = values.Sum();
        var sumsq = values.Sum(v => v * v);
        var scale = Math.Sqrt(values.Length * sumsq);
        var expectedSum = expected[key + "@sum"].ToDouble();
        var expectedSumsq = expected[key + "@sumsq"].ToDouble();
        Assert.True(Math.Abs(sum - expectedSum) <= (relativeTolerance * scale) + 1e-6, $"{key}: sum {sum} but PyTorch has {expectedSum}");
        Assert.True(Math.Abs(sumsq - expectedSumsq) <= (relativeTolerance * Math.Abs(expectedSumsq)) + 1e-9,
            $"{key}: sum of squares {sumsq} but PyTorch has {expectedSumsq}");
    }

    /// <summary>
    /// The fixture entry <paramref name="key"/> as PyTorch saved it: all its values, or for a compacted tensor its sample;
    /// <paramref name="actual"/>'s values at the same positions.
    /// </summary>
    public static (double[] Expected, double[] Actual) Aligned(IReadOnlyDictionary<string, Tensor> expected, string key, Tensor actual)
    {
        var values = Values(actual);
        return expected.TryGetValue(key, out var whole)
            ? (Values(whole), values)
            : (Values(expected[key + "@sample"]), Sample(values));
    }

    /// <summary>The strided sample make_fixtures.py stores for a large tensor: every (n / SAMPLES)-th value, SAMPLES of them.</summary>
    public static double[] Sample(double[] values)
    {
        var stride = values.Length / Samples;
        return [.. Enumerable.Range(0, Samples).Select(i => values[i * stride])];
    }

    /// <summary>|a − e| ≤ rtol·|e| + atol elementwise, with atol a millionth of the largest expected magnitude (for entries near zero).</summary>
    public static void AssertClose(string what, double[] expected, double[] actual, double relativeTolerance = RelativeTolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var atol = 1e-6 * Math.Max(1e-6, expected.Select(Math.Abs).DefaultIfEmpty(0).Max());
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = (relativeTolerance * Math.Abs(expected[i])) + atol;
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
            {
                Assert.Fail($"{what}[{i}]: {actual[i]} but PyTorch has {expected[i]} (tolerance {bound:G3})");
            }
        }
    }
}
