namespace PsTraining.Experiments.Analysis;

/// <summary>The least-squares line y = Intercept + Slope·x through points, with its coefficient of determination.</summary>
public sealed record LineFit(double Slope, double Intercept, double RSquared)
{
    public static LineFit Through(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count || x.Count < 2 || x.Distinct().Count() < 2)
        {
            throw new ArgumentException($"a line needs at least two distinct x values and one y per x: got {x.Count} x and {y.Count} y values");
        }

        var meanX = x.Average();
        var meanY = y.Average();
        var sxy = x.Select((v, i) => (v - meanX) * (y[i] - meanY)).Sum();
        var sxx = x.Sum(v => (v - meanX) * (v - meanX));
        var syy = y.Sum(v => (v - meanY) * (v - meanY));
        var slope = sxy / sxx;
        return new LineFit(slope, meanY - (slope * meanX), syy == 0 ? 1 : sxy * sxy / (sxx * syy));
    }
}
