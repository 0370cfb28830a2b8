namespace PsTraining.Simulation.Tests;

/// <summary>
/// Which gradients a real run and a simulation may order differently: those that complete, or whose learner read its
/// weights (at its previous push), within the timing jitter of another learner's push. Written here, apart from production code.
/// </summary>
internal static class TieRule
{
    public static HashSet<(int Learner, long Index)> NearTies(IReadOnlyList<(int Learner, long Index, double Time)> pushes, double jitter)
    {
        var near = new HashSet<(int, long)>();
        var previous = pushes.ToDictionary(p => (p.Learner, p.Index), p => pushes.Where(q => q.Learner == p.Learner && q.Index == p.Index - 1).Select(q => q.Time).DefaultIfEmpty(0).Single());
        foreach (var p in pushes)
        {
            var read = previous[(p.Learner, p.Index)];
            if (pushes.Any(q => q.Learner != p.Learner && (Math.Abs(q.Time - p.Time) <= jitter || Math.Abs(q.Time - read) <= jitter)))
            {
                near.Add((p.Learner, p.Index));
            }
        }

        return near;
    }
}
