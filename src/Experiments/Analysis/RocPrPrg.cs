using System.Globalization;
using System.Text.Json.Nodes;
using PsTraining.Models.Data;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>roc-pr-prg</c>: AdaBoost over decision stumps and logistic regression on the breast-cancer data (malignant is
/// positive), split into training and test sets with the seed; ROC, PR and PRG curves of their test scores with the
/// all-positive classifier marked, and AUROC, AUPR (average precision) and AUPRG.
/// </summary>
public sealed class RocPrPrg(RocPrPrg.Settings? settings = null) : IExperiment
{
    public const string AdaBoostLabel = "AdaBoost";
    public const string LogisticLabel = "logistic regression";
    public const string AllPositiveLabel = "all-positive classifier";

    public string Name => "roc-pr-prg";

    public string Description => "AdaBoost (decision stumps) and logistic regression on breast cancer: ROC, PR and PRG curves, AUROC, AUPR, AUPRG";

    /// <summary>The share of samples held out for testing, AdaBoost's rounds and logistic regression's L2 strength λ.</summary>
    public sealed record Settings(double TestFraction, int Rounds, double Lambda)
    {
        public static Settings Default { get; } = new(0.3, 100, 1.0);

        public void Validate()
        {
            if (!(TestFraction > 0 && TestFraction < 1) || Rounds < 1 || !(Lambda >= 0))
            {
                throw new ArgumentException($"the test fraction must be in (0, 1), the rounds ≥ 1 and λ ≥ 0; got {this}");
            }
        }
    }

    /// <summary>One classifier's test scores, curves and areas.</summary>
    public sealed record Result(string Classifier, double AuRoc, double AuPr, double AuPrg, double Accuracy);

    public void Run(ExperimentContext context)
    {
        var s = settings ?? Settings.Default;
        s.Validate();
        var data = BreastCancer.Load();
        var order = DeterministicShuffle.Permutation(data.Labels.Length, context.Seed);
        var testCount = (int)Math.Round(s.TestFraction * order.Length);
        var (testIndices, trainIndices) = (order[..testCount], order[testCount..]);
        var trainX = trainIndices.Select(i => data.Features[i]).ToArray();
        var trainY = trainIndices.Select(i => data.Labels[i]).ToArray();
        var testX = testIndices.Select(i => data.Features[i]).ToArray();
        var testY = testIndices.Select(i => data.Labels[i]).ToArray();
        context.Progress($"  {trainY.Length} training samples, {testY.Length} test samples ({testY.Count(l => l == 1)} malignant)");

        var boosted = AdaBoostStumps.Fit(trainX, trainY, s.Rounds);
        var logistic = LogisticRegression.Fit(trainX, trainY, s.Lambda);
        var adaBoostLabel = $"{AdaBoostLabel} ({s.Rounds} stumps)";
        var scored = new (string Classifier, double[] Scores)[]
        {
            (adaBoostLabel, [.. testX.Select(boosted.Score)]),
            (LogisticLabel, [.. testX.Select(logistic.Score)]),
        };

        context.WriteCsv("scores", ["classifier", "sample", "malignant", "score"],
            scored.SelectMany(c => c.Scores.Select((score, k) => (IReadOnlyList<object?>)[c.Classifier, testIndices[k], testY[k], score])));
        var curves = scored.Select(c => (c.Classifier, Curves: RankingCurves.From(c.Scores, testY))).ToList();
        // Both classifiers' scores are log-odds-like: positive means "malignant".
        var results = scored.Zip(curves, (c, r) => new Result(c.Classifier, r.Curves.AreaUnderRoc(), r.Curves.AveragePrecision(),
            r.Curves.AreaUnderPrecisionRecallGain(), c.Scores.Select((v, k) => (v > 0 ? 1 : 0) == testY[k]).Average(b => b ? 1.0 : 0.0))).ToList();
        context.WriteCsv("metrics", ["classifier", "auroc", "aupr", "auprg", "accuracy"],
            results.Select(r => (IReadOnlyList<object?>)[r.Classifier, r.AuRoc, r.AuPr, r.AuPrg, r.Accuracy]));
        WriteCurves(context, curves, testY.Count(l => l == 1) / (double)testY.Length);

        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Breast cancer (scikit-learn's copy, malignant = positive): {trainY.Length} training and {testY.Length} test samples (π = {curves[0].Curves.PositiveRate:F4} on the test set). AdaBoost: {s.Rounds} decision stumps; logistic regression: standardised features, L2 λ = {s.Lambda}, Newton's method."));
        context.WriteSummary();
        context.WriteSummary("| classifier | AUROC | AUPR (average precision) | AUPRG | test accuracy |");
        context.WriteSummary("| --- | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {r.Classifier} | {r.AuRoc:F4} | {r.AuPr:F4} | {r.AuPrg:F4} | {r.Accuracy:P1} |"));
        }
    }

    private static void WriteCurves(ExperimentContext context, List<(string Classifier, RankingCurves Curves)> curves, double positiveRate)
    {
        var roc = curves.SelectMany(c => c.Curves.Roc().Select(p => new { classifier = c.Classifier, x = p.FalsePositiveRate, y = p.TruePositiveRate })).ToList();
        var pr = curves.SelectMany(c => c.Curves.PrecisionRecall().Select(p => new { classifier = c.Classifier, x = p.Recall, y = p.Precision })).ToList();
        var prg = curves.SelectMany(c => c.Curves.PrecisionRecallGain().Select(p => new { classifier = c.Classifier, x = p.RecallGain, y = p.PrecisionGain })).ToList();
        context.WriteCsv("roc", ["classifier", "false_positive_rate", "true_positive_rate"], roc.Select(p => (IReadOnlyList<object?>)[p.classifier, p.x, p.y]));
        context.WriteCsv("pr", ["classifier", "recall", "precision"], pr.Select(p => (IReadOnlyList<object?>)[p.classifier, p.x, p.y]));
        context.WriteCsv("prg", ["classifier", "recall_gain", "precision_gain"], prg.Select(p => (IReadOnlyList<object?>)[p.classifier, p.x, p.y]));

        // The all-positive classifier: ROC (1, 1), PR (recall 1, precision π), PRG (recall gain 1, precision gain 0).
        context.AddFigure("roc", Figure("ROC curves on the test set", roc, (1, 1), "false positive rate", "true positive rate", curves));
        context.AddFigure("pr", Figure("Precision–recall curves on the test set", pr, (1, positiveRate), "recall", "precision", curves));
        context.AddFigure("prg", Figure("Precision–recall-gain curves on the test set", prg, (1, 0), "recall gain", "precision gain", curves));
    }

    private static JsonObject Figure<T>(string title, IEnumerable<T> rows, (double X, double Y) allPositive, string xTitle, string yTitle,
        List<(string Classifier, RankingCurves Curves)> curves)
    {
        var series = new VegaLite.Channel("classifier", "classifier", "nominal") { Sort = [.. curves.Select(c => c.Classifier), AllPositiveLabel] };
        var x = new VegaLite.Channel("x", xTitle) { Domain = [0, 1] };
        var y = new VegaLite.Channel("y", yTitle) { Domain = [0, 1] };
        var lines = VegaLite.Layer("line", rows, x, y, series);
        lines["mark"] = new JsonObject { ["type"] = "line", ["clip"] = true, ["interpolate"] = "linear" };
        var marker = VegaLite.Layer("point", new[] { new { classifier = AllPositiveLabel, x = allPositive.X, y = allPositive.Y } }, x, y, series);
        marker["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 120, ["shape"] = "diamond" };
        return VegaLite.WithWholeLegendLabels(VegaLite.Layered(title, lines, marker));
    }
}
