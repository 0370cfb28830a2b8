using System.Text.Json;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>
/// bias-variance against tests/reference/bias_variance.py, which reads the same draws and fits with numpy.polyfit and
/// scikit-learn's PolynomialFeatures → StandardScaler → Ridge.
/// </summary>
public sealed class BiasVarianceTests : IDisposable
{
    // Both sides solve least-squares problems whose condition number stays below about 1e7 (degree 15 in u ∈ [−1, 1];
    // ridge on standardised features), QR on ours and SVD/Cholesky on numpy's and scikit-learn's: their results can differ
    // by about cond · 2.2e-16 ≈ 1e-9 relative, and the errors average over 100 sets; 1e-7 leaves a margin.
    private const double Relative = 1e-7;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-bias-variance-").FullName;

    [Fact]
    public void Matches_numpy_and_scikit_learn_on_the_same_draws()
    {
        var dir = ExperimentRunner.Run(new BiasVariance(), _out, seed: 3);
        using var reference = JsonDocument.Parse(PythonReference.Run("bias_variance.py", dir));
        var root = reference.RootElement;
        Assert.Equal(BiasVariance.Settings.Default.TrainingSets, root.GetProperty("sets").GetInt32());

        var fits = ResultFiles.ReadCsv(Path.Combine(dir, "fits.csv"));
        foreach (var g in new[] { "g1", "g3", "g10" })
        {
            var expected = root.GetProperty("fits").GetProperty(g).EnumerateArray().Select(e => e.GetDouble()).ToList();
            Assert.Equal(expected.Count, fits.Count);
            Assert.All(fits.Zip(expected), p => AssertClose(p.Second, p.First.Number(g), $"{g} at x = {p.First["x"]}"));
        }

        var byDegree = ResultFiles.ReadCsv(Path.Combine(dir, "bias-variance.csv"));
        var expectedByDegree = root.GetProperty("by_degree").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 15).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)), byDegree.Select(r => r["degree"]));
        foreach (var (row, expected) in byDegree.Zip(expectedByDegree))
        {
            foreach (var quantity in new[] { "bias2", "variance", "test_mse" })
            {
                AssertClose(expected.GetProperty(quantity).GetDouble(), row.Number(quantity), $"{quantity} at degree {row["degree"]}");
            }
        }

        var best = root.GetProperty("best_degree").GetInt32();
        Assert.Equal(best, int.Parse(byDegree.MinBy(r => r.Number("test_mse"))!["degree"], System.Globalization.CultureInfo.InvariantCulture));
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains($"Best degree (least test MSE): **{best}**", summary);

        var ridge = ResultFiles.ReadCsv(Path.Combine(dir, "ridge.csv"));
        Assert.Equal(["unregularised", "ridge α=10"], ridge.Select(r => r["model"]));
        var expectedRidge = root.GetProperty("ridge");
        foreach (var quantity in new[] { "bias2", "variance", "test_mse" })
        {
            AssertClose(expectedRidge.GetProperty(quantity).GetDouble(), ridge[1].Number(quantity), $"ridge {quantity}");
            AssertClose(expectedByDegree[9].GetProperty(quantity).GetDouble(), ridge[0].Number(quantity), $"unregularised degree-10 {quantity}");
        }

        // The textbook effect of the penalty, on the reference's numbers: bias up, variance down.
        Assert.True(expectedRidge.GetProperty("bias2").GetDouble() > expectedByDegree[9].GetProperty("bias2").GetDouble());
        Assert.True(expectedRidge.GetProperty("variance").GetDouble() < expectedByDegree[9].GetProperty("variance").GetDouble());

        ResultFiles.AssertFigure(dir, "fits", "f(x) = x + sin(1.5x)", "g1", "g3", "g10", "curve");
        ResultFiles.AssertFigure(dir, "bias-variance", "polynomial degree", "error (log scale)", "bias²", "variance", "test MSE");
        ResultFiles.AssertFigure(dir, "ridge", "unregularised", "ridge α=10", "quantity", "model");
    }

    [Fact]
    public void Rejects_a_degree_the_training_sets_cannot_fit()
    {
        var tooFew = BiasVariance.Settings.Default with { TrainingPoints = 12 };
        var error = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(new BiasVariance(tooFew), _out, seed: 1));
        Assert.Contains("training points must exceed 15 (got 12)", error.Message);
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= Relative * Math.Max(1, Math.Abs(expected)), $"{what}: ours {actual:R}, reference {expected:R}");

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
