using System.Globalization;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.AnalysisFiles;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>linreg-minnorm against numpy's least squares, PyTorch's optimisers on the same data, and the 2-D closed forms.</summary>
public sealed class LinregMinNormTests : IDisposable
{
    private static readonly LinregMinNorm.Settings Small = LinregMinNorm.Settings.Tiny;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-minnorm-").FullName;

    [Fact]
    public void Gd_and_sgd_reach_the_minimum_norm_solution_and_rmsprop_and_adam_end_where_pytorch_does()
    {
        var dir = ExperimentRunner.Run(new LinregMinNorm(Small), _out, seed: 3);
        var wide = $"d={Small.Features} n={Small.Samples}";
        var weights = ReadCsv(Path.Combine(dir, "weights.csv"));
        double[] End(string @case, string optimizer) =>
            [.. weights.Where(r => r["case"] == @case && r["optimizer"] == optimizer).OrderBy(r => r.Number("index")).Select(r => r.Number("value"))];
        var rates = ReadCsv(Path.Combine(dir, "endpoints.csv")).ToDictionary(r => (r["case"], r["optimizer"]), r => r.Number("learning_rate"));

        foreach (var (@case, data) in new[] { (wide, "data.csv"), (LinregMinNorm.TwoDimensional, "data-2d.csv") })
        {
            string Rate(double rate) => rate.ToString("R", CultureInfo.InvariantCulture);
            var gd = $"sgd:lr={Rate(rates[(@case, "GD")])}";
            var rmsprop = $"rmsprop:lr={Rate(Small.AdaptiveLearningRate)},gamma={Rate(Small.RmsPropDecay)}";
            var adam = $"adam:lr={Rate(Small.AdaptiveLearningRate)}";
            var (leastSquares, pytorch) = PyTorchOptimisers(Path.Combine(dir, data), Small.Steps, gd, rmsprop, adam);

            // numpy's lstsq returns the minimum-norm solution of an underdetermined system.
            Assert.True(Distance(End(@case, "GD"), leastSquares) < 1e-6, $"{@case}: GD is {Distance(End(@case, "GD"), leastSquares)} from numpy's solution");
            Assert.True(Distance(End(@case, "minibatch SGD"), leastSquares) < 1e-6, $"{@case}: SGD is {Distance(End(@case, "minibatch SGD"), leastSquares)} away");
            Assert.True(Distance(pytorch[gd], leastSquares) < 1e-6);
            // RMSProp hovers around a solution before its rate has decayed, and that phase amplifies rounding: PyTorch's own
            // RMSProp moves by 1e-4 when its rate is computed as lr·γ^k instead of by repeated ×γ. Hence 1e-3 for it.
            foreach (var (optimizer, spec, tolerance) in new[] { ("RMSProp", rmsprop, 1e-3), ("Adam", adam, 1e-6) })
            {
                var end = End(@case, optimizer);
                Assert.True(Distance(end, pytorch[spec]) < tolerance, $"{@case}: our {optimizer} ends {Distance(end, pytorch[spec])} from PyTorch's");
                Assert.True(Distance(end, leastSquares) > 0.1, $"{@case}: {optimizer} ends {Distance(end, leastSquares)} from the minimum-norm solution");
            }
        }

        // 2-D: the minimum-norm solution is x·t/‖x‖² = [2, 1]·2/5; the adaptive methods move both coordinates alike (w1 = w2) to [2/3, 2/3].
        Assert.Equal([0.8, 0.4], End(LinregMinNorm.TwoDimensional, "GD"), (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal([2.0 / 3, 2.0 / 3], End(LinregMinNorm.TwoDimensional, "RMSProp"), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([2.0 / 3, 2.0 / 3], End(LinregMinNorm.TwoDimensional, "Adam"), (a, b) => Math.Abs(a - b) < 1e-6);

        AssertFigure(dir, "distance-to-minimum-norm", "GD", "minibatch SGD", "RMSProp", "Adam", "step", "optimizer");
        AssertFigure(dir, "two-dimensional-paths", "w1", "w2", "minimum norm", "solutions", "RMSProp", "Adam", "GD");
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("| 2-D | RMSProp |", summary);
        Assert.Contains("RMSProp at [0.66666", summary);
    }

    [Fact]
    public void Rejects_a_problem_that_is_not_overparameterised()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ExperimentRunner.Run(new LinregMinNorm(Small with { Features = Small.Samples }), _out, seed: 1));
        Assert.Contains("Features must exceed Samples", error.Message);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
