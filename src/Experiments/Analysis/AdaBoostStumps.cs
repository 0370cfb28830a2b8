namespace PsTraining.Experiments.Analysis;

/// <summary>
/// Discrete AdaBoost (Freund and Schapire 1997) over decision stumps: each round fits the stump of least weighted error,
/// weighs it by α = ½·ln((1 − ε)/ε) and re-weights the samples. The score of a sample is Σ α_t·h_t(x), h_t ∈ {−1, +1}.
/// </summary>
internal sealed class AdaBoostStumps
{
    /// <summary>A threshold on one feature: predicts <see cref="Polarity"/> above it and −<see cref="Polarity"/> at or below.</summary>
    public sealed record Stump(int Feature, double Threshold, int Polarity, double Alpha)
    {
        public int Predict(double[] x) => x[Feature] > Threshold ? Polarity : -Polarity;
    }

    private AdaBoostStumps(IReadOnlyList<Stump> stumps) => Stumps = stumps;

    public IReadOnlyList<Stump> Stumps { get; }

    public static AdaBoostStumps Fit(double[][] features, int[] labels, int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var n = features.Length;
        var y = labels.Select(l => l == 1 ? 1 : -1).ToArray();
        var weights = Enumerable.Repeat(1.0 / n, n).ToArray();
        var sorted = Enumerable.Range(0, features[0].Length)
            .Select(j => Enumerable.Range(0, n).OrderBy(i => features[i][j]).ToArray()).ToArray();
        var stumps = new List<Stump>();
        for (var t = 0; t < rounds; t++)
        {
            var (feature, threshold, polarity, error) = BestStump(features, y, weights, sorted);
            error = Math.Clamp(error, 1e-12, 1 - 1e-12); // a perfect stump would get an infinite weight
            var alpha = 0.5 * Math.Log((1 - error) / error);
            var stump = new Stump(feature, threshold, polarity, alpha);
            stumps.Add(stump);
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                weights[i] *= Math.Exp(-alpha * y[i] * stump.Predict(features[i]));
                total += weights[i];
            }

            for (var i = 0; i < n; i++)
            {
                weights[i] /= total;
            }
        }

        return new AdaBoostStumps(stumps);
    }

    public double Score(double[] x) => Stumps.Sum(s => s.Alpha * s.Predict(x));

    /// <summary>
    /// Scans every feature's sorted values once: with polarity +1 and the threshold after position k, the error is the
    /// weight of positives at or below it plus the weight of negatives above it; polarity −1 has the complementary error.
    /// </summary>
    private static (int Feature, double Threshold, int Polarity, double Error) BestStump(double[][] features, int[] y, double[] weights, int[][] sorted)
    {
        var best = (Feature: 0, Threshold: double.NegativeInfinity, Polarity: 1, Error: double.PositiveInfinity);
        var negativeWeight = Enumerable.Range(0, y.Length).Where(i => y[i] < 0).Sum(i => weights[i]);
        for (var j = 0; j < sorted.Length; j++)
        {
            var order = sorted[j];
            var error = negativeWeight; // threshold below every value: all predicted positive
            Consider(j, features[order[0]][j] - 1, error);
            for (var k = 0; k < order.Length; k++)
            {
                var i = order[k];
                error += y[i] * weights[i]; // sample i moves below the threshold
                var value = features[i][j];
                if (k + 1 < order.Length && features[order[k + 1]][j] == value)
                {
                    continue; // a threshold can only fall between distinct values
                }

                Consider(j, k + 1 < order.Length ? (value + features[order[k + 1]][j]) / 2 : value, error);
            }
        }

        return best;

        // The weights sum to 1, so the opposite polarity errs on exactly the rest.
        void Consider(int feature, double threshold, double errorPositiveAbove)
        {
            if (errorPositiveAbove < best.Error)
            {
                best = (feature, threshold, 1, errorPositiveAbove);
            }

            if (1 - errorPositiveAbove < best.Error)
            {
                best = (feature, threshold, -1, 1 - errorPositiveAbove);
            }
        }
    }
}
