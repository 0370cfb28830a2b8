using System.Text.Json;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>backprop against PyTorch (tests/reference/analysis.py) and the closed forms of the vanishing-gradient exercise.</summary>
public sealed class BackpropTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-backprop-").FullName;

    [Fact]
    public void Hand_formulas_and_autograd_match_pytorch_and_chains_match_their_closed_forms()
    {
        var dir = ExperimentRunner.Run(new Backprop(), _out, seed: 1);

        using var reference = JsonDocument.Parse(PythonReference.Run("analysis.py", "worked-example"));
        var worked = ReadCsv(dir, "worked-example");
        foreach (var parameter in new[] { "W1", "b1", "W2", "b2", "W3", "b3", "x" })
        {
            var expected = reference.RootElement.GetProperty(parameter).EnumerateArray().Select(e => e.GetDouble()).ToList();
            var rows = worked.Where(r => r["parameter"] == parameter).ToList();
            Assert.Equal(expected, rows.Select(r => r.Number("hand")));
            Assert.Equal(expected, rows.Select(r => r.Number("autograd")));
        }

        // The exercise's numbers, with ∂L/∂W2[2,2] = −96 (the source document's −46 is a slip).
        Assert.Equal([16.0, 64, 72, -24, -96, -108], worked.Where(r => r["parameter"] == "W2").Select(r => r.Number("hand")));
        Assert.Equal(8, reference.RootElement.GetProperty("prediction").GetDouble());

        var chains = ReadCsv(dir, "vanishing");
        double Gradient(string network, int layers) => chains.Single(r => r["network"] == network && r.Long("conv_layers") == layers).Number("autograd");
        AssertClose(0.01 * 0.005 * 0.1, Gradient("three factors, plain", 2));
        AssertClose(0.010005, Gradient("three factors, residual", 2));
        for (var n = 1; n <= Backprop.MaxPlainLayers; n++)
        {
            AssertClose(Math.Pow(0.5, n + 1), Gradient("plain chain", n));
        }

        for (var b = 1; b <= Backprop.MaxResidualBlocks; b++)
        {
            AssertClose(0.5 * Math.Pow(1.25, b), Gradient("residual blocks", 2 * b));
        }

        AssertFigure(dir, "vanishing-gradients", "convolution layers", "∂L/∂x (log)", "plain chain", "residual blocks");
        AssertFigure(dir, "worked-example-gradients", "gradient entry", "hand formula", "autograd", "W2[2,2]");
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("| three factors, residual | 2 | 1 | 0.010005 | 0.010005 |", summary);
        Assert.Contains("ŷ = 8, L = 4", summary);
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Abs(expected), $"expected {expected}, got {actual}");

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
