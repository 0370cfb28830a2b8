namespace PsTraining.Experiments.Analysis;

/// <summary>
/// ROC, precision–recall and precision–recall-gain curves of a scoring classifier, from its scores and the true labels
/// (1 = positive): one point per distinct score threshold, from "nothing positive" to "everything positive" (the
/// all-positive classifier), and the areas under them.
/// </summary>
internal sealed class RankingCurves
{
    /// <summary>The counts of the classifier that calls positive every sample scored at least <see cref="Threshold"/>.</summary>
    public sealed record Point(double Threshold, int TruePositives, int FalsePositives);

    private RankingCurves(IReadOnlyList<Point> points, int positives, int negatives) =>
        (Points, Positives, Negatives) = (points, positives, negatives);

    /// <summary>The thresholds in decreasing order; the first (+∞) predicts nothing positive, the last everything.</summary>
    public IReadOnlyList<Point> Points { get; }

    public int Positives { get; }

    public int Negatives { get; }

    /// <summary>The proportion of positives π: the precision of the all-positive classifier.</summary>
    public double PositiveRate => (double)Positives / (Positives + Negatives);

    public static RankingCurves From(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        if (scores.Count != labels.Count || scores.Any(double.IsNaN))
        {
            throw new ArgumentException($"need one score (not NaN) per label; got {scores.Count} scores and {labels.Count} labels");
        }

        var positives = labels.Count(l => l == 1);
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException($"ranking curves need both classes; got {positives} positives and {negatives} negatives");
        }

        var points = new List<Point> { new(double.PositiveInfinity, 0, 0) };
        int tp = 0, fp = 0;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToList();
        for (var k = 0; k < order.Count; k++)
        {
            if (labels[order[k]] == 1)
            {
                tp++;
            }
            else
            {
                fp++;
            }

            if (k + 1 == order.Count || scores[order[k + 1]] != scores[order[k]])
            {
                points.Add(new(scores[order[k]], tp, fp)); // tied scores move together
            }
        }

        return new RankingCurves(points, positives, negatives);
    }

    public IEnumerable<(double FalsePositiveRate, double TruePositiveRate)> Roc() =>
        Points.Select(p => ((double)p.FalsePositives / Negatives, (double)p.TruePositives / Positives));

    /// <summary>Recall and precision at every threshold that calls something positive.</summary>
    public IEnumerable<(double Recall, double Precision)> PrecisionRecall() =>
        Points.Skip(1).Select(p => ((double)p.TruePositives / Positives, (double)p.TruePositives / (p.TruePositives + p.FalsePositives)));

    /// <summary>Area under the ROC curve (trapezoids; a tie contributes its diagonal).</summary>
    public double AreaUnderRoc() => Trapezoids(Roc().ToList());

    /// <summary>Average precision: Σ (R_k − R_{k−1})·P_k over the thresholds (no interpolation), as scikit-learn defines it.</summary>
    public double AveragePrecision()
    {
        var pr = PrecisionRecall().ToList();
        return pr.Select((p, k) => (p.Recall - (k == 0 ? 0 : pr[k - 1].Recall)) * p.Precision).Sum();
    }

    /// <summary>
    /// The precision-gain/recall-gain curve (Flach and Kull 2015) from recall gain 0 to 1. The point where recall gain
    /// crosses 0 is interpolated between the neighbouring thresholds' counts (PRG curves are not straight between
    /// points); where the curve crosses precision gain 0 a point is added by linear interpolation.
    /// </summary>
    public IReadOnlyList<(double RecallGain, double PrecisionGain)> PrecisionRecallGain()
    {
        var first = Points.Select((p, k) => (p, k)).First(q => q.p.TruePositives > 0 && RecallGain(q.p.TruePositives) >= 0).k;
        var curve = new List<(double RecallGain, double PrecisionGain)>();
        if (RecallGain(Points[first].TruePositives) > 0)
        {
            // Recall gain is 0 where recall = π, that is TP = P²/(P + N).
            var (before, after) = (Points[first - 1], Points[first]);
            var rise = after.TruePositives - before.TruePositives;
            var alpha = ((double)Positives * Positives / (Positives + Negatives) - before.TruePositives) / rise;
            var truePositives = before.TruePositives + (alpha * rise);
            var falsePositives = before.FalsePositives + (alpha * (after.FalsePositives - before.FalsePositives));
            curve.Add((0, PrecisionGain(truePositives, falsePositives)));
        }

        foreach (var p in Points.Skip(first))
        {
            var next = (RecallGain(p.TruePositives), PrecisionGain(p.TruePositives, p.FalsePositives));
            if (curve.Count > 0 && curve[^1].PrecisionGain * next.Item2 < 0)
            {
                var (x0, y0) = curve[^1];
                curve.Add((x0 + (-y0 / (next.Item2 - y0) * (next.Item1 - x0)), 0));
            }

            curve.Add(next);
        }

        return curve;
    }

    /// <summary>Area under the PRG curve over recall gain 0..1 (trapezoids in PRG space; negative precision gain counts negatively).</summary>
    public double AreaUnderPrecisionRecallGain() => Trapezoids(PrecisionRecallGain());

    private double RecallGain(double truePositives) => 1 - ((double)Positives / Negatives * (Positives - truePositives) / truePositives);

    private double PrecisionGain(double truePositives, double falsePositives) => 1 - ((double)Positives / Negatives * falsePositives / truePositives);

    private static double Trapezoids(IReadOnlyList<(double X, double Y)> curve) =>
        curve.Skip(1).Select((p, k) => (p.X - curve[k].X) * (p.Y + curve[k].Y) / 2).Sum();
}
