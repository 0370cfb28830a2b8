using PsTraining.Torch;

namespace PsTraining.Models.Tests;

/// <summary>
/// Loads the PyTorch reference fixtures written by tests/reference/make_fixtures.py, and compares our
/// tensors with them. Large tensors are stored as a strided sample plus their sum and sum of squares
/// (see the script); both forms are checked within a relative tolerance.
/// </summary>
internal static class Fixtures
{
    public const double RelativeTolerance = 1e-4;

    /// <summary>Must match SAMPLES in make_fixtures.py.</summary>
    private const int Samples = 2000;

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", file);

    public static Dictionary<string, Tensor> Load(string file) => StateDictFile.Load(PathOf(file));

    /// <summary>Asserts that <paramref name="actual"/> matches the fixture entry <paramref name="key"/> (whole or sampled).</summary>
    public static void AssertClose(IReadOnlyDictionary<string, Tensor> expected, string key, Tensor actual)
    {
        if (expected.TryGetValue(key, out var whole))
        {
            Assert.True(whole.shape.AsSpan().SequenceEqual(actual.shape),
                $"{key}: shape [{string.Join(",", actual.shape)}] but PyTorch has [{string.Join(",", whole.shape)}]");
            AssertClose(key, whole.data<double>(), actual.data<double>());
            return;
        }

        Assert.True(expected.ContainsKey(key + "@sample"), $"fixture has no entry '{key}'");
        var values = actual.data<double>();
        var stride = values.Length / Samples;
        var sample = Enumerable.Range(0, Samples).Select(i => values[i * stride]).ToArray();
        AssertClose(key + "@sample", expected[key + "@sample"].data<double>(), sample);

        var sum = values.Sum();
        var sumsq = values.Sum(v => v * v);
        var scale = Math.Sqrt(values.Length * sumsq);
        var expectedSum = expected[key + "@sum"].item();
        var expectedSumsq = expected[key + "@sumsq"].item();
        Assert.True(Math.Abs(sum - expectedSum) <= (RelativeTolerance * scale) + 1e-6, $"{key}: sum {sum} but PyTorch has {expectedSum}");
        Assert.True(Math.Abs(sumsq - expectedSumsq) <= RelativeTolerance * Math.Abs(expectedSumsq) + 1e-9,
            $"{key}: sum of squares {sumsq} but PyTorch has {expectedSumsq}");
    }

    /// <summary>|a − e| ≤ rtol·|e| + atol elementwise, with atol a millionth of the largest expected magnitude (for entries near zero).</summary>
    public static void AssertClose(string what, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var atol = 1e-6 * Math.Max(1e-6, expected.Select(Math.Abs).DefaultIfEmpty(0).Max());
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = (RelativeTolerance * Math.Abs(expected[i])) + atol;
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
            {
                Assert.Fail($"{what}[{i}]: {actual[i]} but PyTorch has {expected[i]} (tolerance {bound:G3})");
            }
        }
    }
}
