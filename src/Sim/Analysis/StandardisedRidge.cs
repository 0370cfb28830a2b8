namespace PsTraining.Sim.Analysis;

/// <summary>
/// Ridge regression on the features x, x², …, x^degree, each standardised with the training set's mean and (population)
/// standard deviation, with an unpenalised intercept: what scikit-learn's PolynomialFeatures → StandardScaler → Ridge
/// pipeline fits. Solved as the augmented least-squares problem [Z; √α·I] w ≈ [y − ȳ; 0].
/// </summary>
internal sealed class StandardisedRidge
{
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly double[] _weights;
    private readonly double _intercept;

    private StandardisedRidge(double[] mean, double[] scale, double[] weights, double intercept) =>
        (_mean, _scale, _weights, _intercept) = (mean, scale, weights, intercept);

    public static StandardisedRidge Fit(IReadOnlyList<double> x, IReadOnlyList<double> y, int degree, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        if (x.Count != y.Count || x.Count < 2)
        {
            throw new ArgumentException($"ridge needs at least 2 points with one target each; got {x.Count} points and {y.Count} targets");
        }

        int n = x.Count;
        var mean = new double[degree];
        var scale = new double[degree];
        for (var j = 0; j < degree; j++)
        {
            mean[j] = x.Average(v => Math.Pow(v, j + 1));
            var m = mean[j];
            var std = Math.Sqrt(x.Average(v => Math.Pow(Math.Pow(v, j + 1) - m, 2)));
            scale[j] = std == 0 ? 1 : std; // a constant feature stays zero after centring, as in StandardScaler
        }

        var yMean = y.Average();
        var design = new double[n + degree, degree];
        var target = new double[n + degree];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < degree; j++)
            {
                design[i, j] = (Math.Pow(x[i], j + 1) - mean[j]) / scale[j];
            }

            target[i] = y[i] - yMean;
        }

        for (var j = 0; j < degree; j++)
        {
            design[n + j, j] = Math.Sqrt(alpha);
        }

        return new StandardisedRidge(mean, scale, LeastSquares.Solve(design, target), yMean);
    }

    public double Predict(double x)
    {
        var value = _intercept;
        for (var j = 0; j < _weights.Length; j++)
        {
            value += _weights[j] * (Math.Pow(x, j + 1) - _mean[j]) / _scale[j];
        }

        return value;
    }
}
