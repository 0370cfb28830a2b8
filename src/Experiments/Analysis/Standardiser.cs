namespace PsTraining.Experiments.Analysis;

/// <summary>Centres and scales each feature by the training set's mean and population standard deviation (a constant feature is only centred).</summary>
internal sealed class Standardiser(double[] mean, double[] scale)
{
    public static Standardiser Fit(double[][] features)
    {
        if (features.Length == 0)
        {
            throw new ArgumentException("cannot standardise an empty training set", nameof(features));
        }

        var d = features[0].Length;
        var mean = new double[d];
        var scale = new double[d];
        for (var j = 0; j < d; j++)
        {
            mean[j] = features.Average(f => f[j]);
            var std = Math.Sqrt(features.Average(f => (f[j] - mean[j]) * (f[j] - mean[j])));
            scale[j] = std == 0 ? 1 : std;
        }

        return new Standardiser(mean, scale);
    }

    public double[] Apply(double[] features) => [.. features.Select((v, j) => (v - mean[j]) / scale[j])];
}
