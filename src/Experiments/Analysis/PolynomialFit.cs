using PsTraining.Models.Data;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// A least-squares polynomial of one variable on the regression set's range. It is fitted in u = (x − 5)/5 ∈ [−1, 1]
/// rather than in x ∈ [0, 10], where the degree-15 Vandermonde matrix would be far worse conditioned; the fitted
/// polynomial is the same function of x.
/// </summary>
internal sealed class PolynomialFit
{
    private const double Centre = (RegressionData.XMin + RegressionData.XMax) / 2;
    private const double HalfWidth = (RegressionData.XMax - RegressionData.XMin) / 2;

    private readonly double[] _coefficients;

    private PolynomialFit(double[] coefficients) => _coefficients = coefficients;

    public int Degree => _coefficients.Length - 1;

    public static PolynomialFit Fit(IReadOnlyList<double> x, IReadOnlyList<double> y, int degree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degree);
        if (x.Count != y.Count || x.Count <= degree)
        {
            throw new ArgumentException($"a degree-{degree} fit needs more than {degree} points with one target each; got {x.Count} points and {y.Count} targets");
        }

        var design = new double[x.Count, degree + 1];
        for (var i = 0; i < x.Count; i++)
        {
            var u = Scaled(x[i]);
            var power = 1.0;
            for (var j = 0; j <= degree; j++, power *= u)
            {
                design[i, j] = power;
            }
        }

        return new PolynomialFit(LeastSquares.Solve(design, [.. y]));
    }

    public double Predict(double x)
    {
        var u = Scaled(x);
        var value = 0.0;
        for (var j = _coefficients.Length - 1; j >= 0; j--)
        {
            value = (value * u) + _coefficients[j];
        }

        return value;
    }

    private static double Scaled(double x) => (x - Centre) / HalfWidth;
}
