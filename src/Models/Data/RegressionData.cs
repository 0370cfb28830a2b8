namespace PsTraining.Models.Data;

/// <summary>
/// The bias–variance regression set: x uniform on [0, 10], y = f(x) + ε with f(x) = x + sin(1.5x) and
/// ε ~ N(0, 0.3), where 0.3 is the variance (standard deviation √0.3).
/// </summary>
public static class RegressionData
{
    public const double NoiseVariance = 0.3;
    public const double XMin = 0;
    public const double XMax = 10;

    public static double TrueFunction(double x) => x + Math.Sin(1.5 * x);

    public static (double[] X, double[] Y) Generate(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new SeededRandom(seed);
        var std = Math.Sqrt(NoiseVariance);
        var x = new double[count];
        var y = new double[count];
        for (var i = 0; i < count; i++)
        {
            x[i] = rng.Uniform(XMin, XMax);
            y[i] = TrueFunction(x[i]) + (std * rng.NextGaussian());
        }

        return (x, y);
    }
}
