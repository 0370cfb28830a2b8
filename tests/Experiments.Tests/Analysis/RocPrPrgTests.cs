using System.Globalization;
using System.Text.Json;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>
/// roc-pr-prg against tests/reference/roc_pr_prg.py: scikit-learn's roc_auc_score and average_precision_score, a Python
/// calc_auprg after Flach and Kull, and scikit-learn's LogisticRegression on the same split; the fixture against
/// scikit-learn's own copy of the data.
/// </summary>
public sealed class RocPrPrgTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-roc-pr-prg-").FullName;

    [Fact]
    public void Areas_match_scikit_learn_and_a_python_calc_auprg_on_the_same_scores()
    {
        var dir = ExperimentRunner.Run(new RocPrPrg(), _out, seed: 5);
        using var reference = JsonDocument.Parse(PythonReference.Run("roc_pr_prg.py", dir, BreastCancer.DefaultPath));
        var root = reference.RootElement;

        var metrics = ResultFiles.ReadCsv(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(["AdaBoost (100 stumps)", RocPrPrg.LogisticLabel], metrics.Select(m => m["classifier"]));
        foreach (var row in metrics)
        {
            var expected = root.GetProperty(row["classifier"]);
            foreach (var area in new[] { "auroc", "aupr", "auprg" })
            {
                var want = expected.GetProperty(area).GetDouble();
                Assert.True(Math.Abs(row.Number(area) - want) <= 1e-9, $"{row["classifier"]} {area}: ours {row[area]}, reference {want:R}");
            }

            // Both are good classifiers of this data set (published AUROCs are above 0.95); a broken score would not be.
            Assert.InRange(row.Number("auroc"), 0.95, 1);
        }

        // Our Newton-fitted logistic regression against scikit-learn's (newton-cholesky, tol 1e-12) on the same split.
        var scores = ResultFiles.ReadCsv(Path.Combine(dir, "scores.csv")).Where(r => r["classifier"] == RocPrPrg.LogisticLabel).ToList();
        var expectedScores = root.GetProperty("sklearn_logistic_scores").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(expectedScores.Count, scores.Count);
        Assert.All(scores.Zip(expectedScores), p => Assert.True(Math.Abs(p.First.Number("score") - p.Second) <= 1e-7, $"sample {p.First["sample"]}: {p.First["score"]} against {p.Second:R}"));

        // Closed forms: each PRG curve ends at the all-positive classifier (recall gain 1, precision gain 0) and starts at recall gain 0.
        var prg = ResultFiles.ReadCsv(Path.Combine(dir, "prg.csv"));
        foreach (var classifier in metrics.Select(m => m["classifier"]))
        {
            var curve = prg.Where(r => r["classifier"] == classifier).ToList();
            Assert.Equal(0, curve[0].Number("recall_gain"));
            Assert.Equal((1.0, 0.0), (curve[^1].Number("recall_gain"), curve[^1].Number("precision_gain")));
        }

        ResultFiles.AssertFigure(dir, "roc", "false positive rate", "true positive rate", "AdaBoost (100 stumps)", RocPrPrg.LogisticLabel, RocPrPrg.AllPositiveLabel);
        ResultFiles.AssertFigure(dir, "pr", "recall", "precision", RocPrPrg.AllPositiveLabel);
        ResultFiles.AssertFigure(dir, "prg", "recall gain", "precision gain", RocPrPrg.AllPositiveLabel);
        Assert.Contains("| AdaBoost (100 stumps) | " + metrics[0].Number("auroc").ToString("F4", CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    [Fact]
    public void Weak_rankings_with_ties_match_the_reference_where_the_prg_curve_crosses_zero()
    {
        // Scores barely related to the labels and rounded to one decimal: many ties, and precision below π at some
        // thresholds, so the PRG curve crosses precision gain 0 (the case the breast-cancer classifiers never reach).
        var random = new PsTraining.Models.Data.SeededRandom(11);
        var rows = new List<IReadOnlyList<object?>>();
        var areas = new Dictionary<string, (double AuRoc, double AuPr, double AuPrg)>();
        var crossings = 0;
        foreach (var (name, signal) in new[] { ("weak", 0.3), ("none", 0.0), ("inverted", -0.5) })
        {
            var labels = Enumerable.Range(0, 120).Select(_ => random.NextDouble() < 0.35 ? 1 : 0).ToArray();
            var scores = labels.Select(l => Math.Round((signal * l) + random.NextDouble(), 1)).ToArray();
            var curves = RankingCurves.From(scores, labels);
            crossings += curves.PrecisionRecallGain().Skip(1).SkipLast(1).Count(p => p.PrecisionGain == 0);
            areas[name] = (curves.AreaUnderRoc(), curves.AveragePrecision(), curves.AreaUnderPrecisionRecallGain());
            rows.AddRange(labels.Select((l, k) => (IReadOnlyList<object?>)[name, k, l, scores[k]]));
        }

        Assert.True(crossings > 0, "no curve crosses precision gain 0: the case is not exercised");
        new ExperimentContext(_out, 1, ExperimentScale.Default, ExperimentContext.DefaultThreads, TextWriter.Null).WriteCsv("scores", ["classifier", "sample", "malignant", "score"], rows);
        using var reference = JsonDocument.Parse(PythonReference.Run("roc_pr_prg.py", _out, BreastCancer.DefaultPath));
        foreach (var (name, (auRoc, auPr, auPrg)) in areas)
        {
            var expected = reference.RootElement.GetProperty(name);
            Assert.Equal(expected.GetProperty("auroc").GetDouble(), auRoc, 1e-9);
            Assert.Equal(expected.GetProperty("aupr").GetDouble(), auPr, 1e-9);
            Assert.Equal(expected.GetProperty("auprg").GetDouble(), auPrg, 1e-9);
        }
    }

    [Fact]
    public void The_fixture_is_scikit_learns_breast_cancer_data() =>
        Assert.Equal("same", PythonReference.Run("export_breast_cancer.py", "--check", BreastCancer.DefaultPath).Trim());

    [Fact]
    public void Closed_forms_for_a_perfect_ranking_and_for_all_scores_tied()
    {
        var perfect = RankingCurves.From([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]);
        Assert.Equal((1.0, 1.0, 1.0), (perfect.AreaUnderRoc(), perfect.AveragePrecision(), perfect.AreaUnderPrecisionRecallGain()));

        // One score for all: ROC is the diagonal (AUROC ½), AP is the positive rate, and the PRG curve runs along precision
        // gain 0 (every interpolated classifier between "none" and "all" has precision π) from recall gain 0 to 1: AUPRG 0.
        var tied = RankingCurves.From([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0]);
        Assert.Equal((0.5, 0.25, 0.0), (tied.AreaUnderRoc(), tied.AveragePrecision(), tied.AreaUnderPrecisionRecallGain()));
        Assert.Equal([(0.0, 0.0), (1.0, 0.0)], tied.PrecisionRecallGain());
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
