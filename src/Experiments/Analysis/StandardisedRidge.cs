namespace PsTraining.Experiments.Analysis;

/// <summary>
/// Ridge regression on the features x, x², …, x^degree, each standardised with the training set's mean and (population)
/// standard deviation, with an unpenalised intercept: what scikit-learn's PolynomialFeatures → StandardScaler → Ridge
/// pipeline fits. Solved as the augmented least-squares problem [Z; √α·I] w ≈ [y − ȳ; 0].
/// </summary>
internal sealed class StandardisedRidge
{
    private readonly Standardiser _standardiser;
    private readonly double[] _weights;
    private readonly double _intercept;

    private StandardisedRidge(Standardiser standardiser, double[] weights, double intercept) =>
        (_standardiser, _weights, _intercept) = (standardiser, weights, intercept);

    public static StandardisedRidge Fit(IReadOnlyList<double> x, IReadOnlyList<double> y, int degree, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        if (x.Count != y.Count || x.Count < 2)
        {
            throw new ArgumentException($"ridge needs at least 2 points with one target each; got {x.Count} points and {y.Count} targets");
        }

        var powers = x.Select(v => Powers(v, degree)).ToArray();
        var standardiser = Standardiser.Fit(powers);
        var yMean = y.Average();
        var n = x.Count;
        var design = new double[n + degree, degree];
        var target = new double[n + degree];
        for (var i = 0; i < n; i++)
        {
            var z = standardiser.Apply(powers[i]);
            for (var j = 0; j < degree; j++)
            {
                design[i, j] = z[j];
            }

            target[i] = y[i] - yMean; // centred features and target: the intercept is ȳ and is not penalised
        }

        for (var j = 0; j < degree; j++)
        {
            design[n + j, j] = Math.Sqrt(alpha);
        }

        return new StandardisedRidge(standardiser, LeastSquares.Solve(design, target), yMean);
    }

    public double Predict(double x)
    {
        var z = _standardiser.Apply(Powers(x, _weights.Length));
        return _intercept + z.Select((v, j) => v * _weights[j]).Sum();
    }

    private static double[] Powers(double x, int degree) => [.. Enumerable.Range(1, degree).Select(p => Math.Pow(x, p))];
}
