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
        var (x, noise) = Draw(count, new SeededRandom(seed));
        return (x, [.. x.Select((xi, i) => TrueFunction(xi) + noise[i])]);
    }

    /// <summary>
    /// The random part of <paramref name="count"/> points, drawn from <paramref name="random"/> (x, then its noise, point by
    /// point): the inputs and the noise ε, so that an independent reference can rebuild y = f(x) + ε from the same draws.
    /// </summary>
    public static (double[] X, double[] Noise) Draw(int count, SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var std = Math.Sqrt(NoiseVariance);
        var x = new double[count];
        var noise = new double[count];
        for (var i = 0; i < count; i++)
        {
            x[i] = random.Uniform(XMin, XMax);
            noise[i] = std * random.NextGaussian();
        }

        return (x, noise);
    }
}
