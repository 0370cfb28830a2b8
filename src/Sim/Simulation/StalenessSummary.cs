namespace PsTraining.Sim.Simulation;

/// <summary>Per learner: how many gradients, mean and maximum staleness, and the histogram of staleness values.</summary>
public sealed record StalenessSummary(int Learner, int Gradients, double Mean, ulong Max, IReadOnlyDictionary<ulong, int> Histogram)
{
    public static IReadOnlyList<StalenessSummary> Of(IReadOnlyList<AppliedGradient> gradients, int learners) =>
        Enumerable.Range(1, learners).Select(l =>
        {
            var mine = gradients.Where(g => g.Learner == l).ToList();
            return new StalenessSummary(l, mine.Count, mine.Count == 0 ? 0 : mine.Average(g => (double)g.Staleness),
                mine.Count == 0 ? 0 : mine.Max(g => g.Staleness),
                mine.GroupBy(g => g.Staleness).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()));
        }).ToList();
}
