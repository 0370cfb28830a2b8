namespace PsTraining.Experiments.Analysis;

/// <summary>
/// The arithmetic of hyperparameter search: what a full grid costs, and how many random trials make it likely that one
/// of them lands in the best fraction p of the search space (Bergstra and Bengio 2012).
/// </summary>
public static class SearchBudget
{
    /// <summary>Configurations of a full grid with the given number of values per hyperparameter.</summary>
    public static long GridConfigurations(IReadOnlyList<int> valuesPerHyperparameter) =>
        valuesPerHyperparameter.Aggregate(1L, (product, values) => values >= 1 ? product * values
            : throw new ArgumentOutOfRangeException(nameof(valuesPerHyperparameter), values, "every hyperparameter needs at least one value"));

    /// <summary>
    /// The least N with 1 − (1 − p)^N ≥ q: N ≥ ln(1 − q) / ln(1 − p). Each independent trial lands in the top fraction p
    /// with probability p, so all N miss it with probability (1 − p)^N.
    /// </summary>
    public static int RandomTrials(double p, double q)
    {
        if (!(p > 0 && p < 1) || !(q > 0 && q < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"the top fraction p and the confidence q must be in (0, 1); got p = {p}, q = {q}");
        }

        var n = (int)Math.Ceiling(Math.Log(1 - q) / Math.Log(1 - p));
        // Guard the ceiling against rounding at an exact integer ratio: N must be the least that reaches q.
        while (n > 1 && HitProbability(p, n - 1) >= q)
        {
            n--;
        }

        while (HitProbability(p, n) < q)
        {
            n++;
        }

        return n;
    }

    /// <summary>The chance that at least one of <paramref name="trials"/> random trials lands in the top fraction p.</summary>
    public static double HitProbability(double p, int trials) => 1 - Math.Pow(1 - p, trials);
}
