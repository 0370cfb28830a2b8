using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.AnalysisFiles;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>lms against numpy's least squares and the LMS rule w ← w + r·(y − wᵀx)·x written out here in plain arithmetic.</summary>
public sealed class LmsTests : IDisposable
{
    private static readonly Lms.Settings Small = Lms.Settings.Tiny;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-lms-").FullName;

    [Fact]
    public void Closed_form_lms_and_the_rate_sweep_match_the_references()
    {
        var dir = ExperimentRunner.Run(new Lms(Small), _out, seed: 5);
        var (x, t) = ReadData(Path.Combine(dir, "data.csv"));
        Assert.All(x, row => Assert.Equal(1.0, row[0])); // the bias input

        var solutions = ReadCsv(Path.Combine(dir, "solutions.csv"));
        double[] Weights(Dictionary<string, string> row) => [row.Number("w0"), row.Number("w1"), row.Number("w2")];
        var closedForm = Weights(solutions[0]);
        var (numpy, _) = PyTorchOptimisers(Path.Combine(dir, "data.csv"), steps: 0);
        Assert.True(Distance(closedForm, numpy) < 1e-9, $"closed form {Distance(closedForm, numpy)} from numpy's lstsq");
        Assert.True(Distance(closedForm, [-1, 1, -2]) < 0.01, "the fit recovers the weights the data were drawn from");

        var (lmsWeights, lmsMse) = ReferenceLms(x, t, Small.LearningRate, Small.Epochs);
        Assert.True(Distance(Weights(solutions[1]), lmsWeights[^1]) < 1e-10, $"LMS ends {Distance(Weights(solutions[1]), lmsWeights[^1])} from the reference");
        var epochs = ReadCsv(Path.Combine(dir, "lms-epochs.csv"));
        Assert.Equal(Small.Epochs + 1, epochs.Count);
        Assert.All(epochs, (row, epoch) => Assert.Equal(lmsMse[epoch], row.Number("mse"), 1e-9 * lmsMse[epoch]));
        Assert.True(Distance(lmsWeights[^1], numpy) < 0.01, "LMS at r = 0.01 ends near the least-squares weights");

        var sweep = ReadCsv(Path.Combine(dir, "sweep-summary.csv"));
        Assert.Equal(Small.Rates, sweep.Select(r => r.Number("learning_rate")));
        foreach (var row in sweep)
        {
            var (_, mse) = ReferenceLms(x, t, row.Number("learning_rate"), Small.Epochs);
            var diverged = !double.IsFinite(mse[^1]) || mse[^1] > mse[0];
            Assert.Equal(diverged.ToString(), row["diverged"]);
            if (double.IsFinite(mse[^1]))
            {
                Assert.Equal(mse[^1], row.Number("final_mse"), 1e-6 * mse[^1]);
            }
        }

        Assert.Equal("False", sweep[0]["diverged"]);
        Assert.Equal("True", sweep[^1]["diverged"]);

        AssertFigure(dir, "weights", "epoch", "weight value", "w0 closed form", "w2 LMS (r = 0.01)");
        AssertFigure(dir, "loss", "epoch", "MSE", "closed form", "LMS (r = 0.01)");
        AssertFigure(dir, "learning-rate-sweep", "epoch", "MSE", "learning rate r", "0.3", "0.5");
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("| closed form |", summary);
        Assert.Contains("The smallest rate of the sweep that diverges is r = ", summary);
    }

    [Fact]
    public void Rejects_a_non_positive_rate()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ExperimentRunner.Run(new Lms(Small with { Rates = [0.01, -1] }), _out, seed: 1));
        Assert.Contains("Rates", error.Message);
    }

    /// <summary>The textbook LMS loop: for each sample in order, e = y − wᵀx and w ← w + r·e·x; the MSE before and after each epoch.</summary>
    private static (List<double[]> Weights, List<double> Mse) ReferenceLms(double[][] x, double[] t, double rate, int epochs)
    {
        double Mse(double[] w) => x.Select((row, i) => Math.Pow(t[i] - row.Zip(w, (a, b) => a * b).Sum(), 2)).Average();
        var w = new double[x[0].Length];
        var weights = new List<double[]> { (double[])w.Clone() };
        var mse = new List<double> { Mse(w) };
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            for (var i = 0; i < x.Length; i++)
            {
                var error = t[i] - x[i].Zip(w, (a, b) => a * b).Sum();
                for (var j = 0; j < w.Length; j++)
                {
                    w[j] += rate * error * x[i][j];
                }
            }

            weights.Add((double[])w.Clone());
            mse.Add(Mse(w));
        }

        return (weights, mse);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
