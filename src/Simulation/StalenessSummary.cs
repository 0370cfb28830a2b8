namespace PsTraining.Simulation;

/// <summary>Per learner: how many gradients, mean and maximum staleness, and the histogram of staleness values.</summary>
public sealed record StalenessSummary(int Learner, int Gradients, double Mean, ulong Max, IReadOnlyDictionary<ulong, int> Histogram)
{
    /// <summary>One pass over the gradients, whatever the number of learners.</summary>
    public static IReadOnlyList<StalenessSummary> Of(IReadOnlyList<AppliedGradient> gradients, int learners)
    {
        var count = new int[learners];
        var sum = new double[learners];
        var max = new ulong[learners];
        var histogram = new SortedDictionary<ulong, int>[learners];
        foreach (var g in gradients)
        {
            var i = g.Learner - 1;
            count[i]++;
            sum[i] += g.Staleness;
            max[i] = Math.Max(max[i], g.Staleness);
            var h = histogram[i] ??= [];
            h[g.Staleness] = h.GetValueOrDefault(g.Staleness) + 1;
        }

        return Enumerable.Range(0, learners)
            .Select(i => new StalenessSummary(i + 1, count[i], count[i] == 0 ? 0 : sum[i] / count[i], max[i],
                (IReadOnlyDictionary<ulong, int>?)histogram[i] ?? new Dictionary<ulong, int>()))
            .ToList();
    }
}
