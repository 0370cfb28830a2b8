using System.Globalization;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>hyperparameter-search: its budget arithmetic against the closed forms computed here, and a tiny real search.</summary>
public sealed class HyperparameterSearchTests : IDisposable
{
    private static readonly HyperparameterSearch.Settings Tiny = HyperparameterSearch.Settings.Tiny;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-hyperparameter-search-").FullName;

    [Fact]
    public void Budget_matches_the_closed_forms_and_both_searches_spend_it()
    {
        var dir = ExperimentRunner.Run(new HyperparameterSearch(Tiny), _out, seed: 4);

        var grid = ResultFiles.ReadCsv(Path.Combine(dir, "grid-cost.csv")).Single();
        Assert.Equal((10 * 6 * 5, 10 * 6 * 5 * 10, 10 * 6 * 5 * 10 * 2.0), (grid.Number("configurations"), grid.Number("epochs"), grid.Number("minutes")));

        var trials = ResultFiles.ReadCsv(Path.Combine(dir, "random-trials.csv"));
        foreach (var (q, expected) in new[] { (0.95, 59), (0.995, 104) })
        {
            var closedForm = (int)Math.Ceiling(Math.Log(1 - q) / Math.Log(1 - 0.05));
            Assert.Equal(expected, closedForm);
            var row = trials.Single(r => r.Number("confidence") == q);
            Assert.Equal(closedForm, (int)row.Number("trials"));
            // The least such N: one trial fewer would miss the confidence.
            Assert.True(1 - Math.Pow(0.95, closedForm) >= q && 1 - Math.Pow(0.95, closedForm - 1) < q);
        }

        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("**300 configurations**", summary);
        Assert.Contains("**6000 min**", summary);
        Assert.Contains("**59 trials**", summary);
        Assert.Contains("**104 trials**", summary);

        var searched = ResultFiles.ReadCsv(Path.Combine(dir, "trials.csv"));
        var byStrategy = searched.GroupBy(t => t["strategy"]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Tiny.Budget, byStrategy[HyperparameterSearch.GridStrategy].Count);
        Assert.Equal(Tiny.Budget, byStrategy[HyperparameterSearch.RandomStrategy].Count);
        // The grid's corners are the range ends; random trials stay inside the ranges and try a new rate every time.
        Assert.Equal([0.01, 0.1], byStrategy[HyperparameterSearch.GridStrategy].Select(t => Math.Round(t.Number("learning_rate"), 12)).Distinct().Order());
        Assert.All(byStrategy[HyperparameterSearch.RandomStrategy], t =>
        {
            Assert.InRange(t.Number("learning_rate"), 0.01, 0.1);
            Assert.InRange(t.Number("hidden_units"), 16, 64);
        });
        Assert.Equal(Tiny.Budget, byStrategy[HyperparameterSearch.RandomStrategy].Select(t => t["learning_rate"]).Distinct().Count());

        foreach (var (strategy, rows) in byStrategy)
        {
            var best = rows.MaxBy(r => r.Number("validation_accuracy"))!;
            // Ten classes: chance is 10 %; any working MLP with these rates does far better after one epoch.
            Assert.InRange(best.Number("validation_accuracy"), 0.4, 1);
            Assert.Contains($"| {strategy} | {best.Number("learning_rate").ToString("G4", CultureInfo.InvariantCulture)} | {best["hidden_units"]} | {best.Number("validation_accuracy").ToString("P1", CultureInfo.InvariantCulture)} |", summary);
        }

        ResultFiles.AssertFigure(dir, "random-trials", "random trials N", "P(some trial in the top 5 %)", "q = 0.95: N = 59", "q = 0.995: N = 104");
        ResultFiles.AssertFigure(dir, "configurations", "learning rate", "hidden units", "validation accuracy", "grid", "random");
        ResultFiles.AssertFigure(dir, "best-so-far", "trials", "best validation accuracy so far");
    }

    [Fact]
    public void Rejects_a_one_value_grid()
    {
        var error = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(new HyperparameterSearch(Tiny with { GridSide = 1 }), _out, seed: 1));
        Assert.Contains("the grid side ≥ 2", error.Message);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
