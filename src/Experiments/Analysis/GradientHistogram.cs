namespace PsTraining.Experiments.Analysis;

/// <summary>Equal-width bins over the range of some values; when every value is the same, one bin holds them all.</summary>
public static class GradientHistogram
{
    public sealed record Bin(double Start, double End, int Count)
    {
        public double Centre => (Start + End) / 2;
    }

    public static IReadOnlyList<Bin> Of(IReadOnlyList<float> values, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1, nameof(bins));
        double min = values.Min(), max = values.Max();
        if (min == max)
        {
            return [new Bin(min, max, values.Count)];
        }

        var counts = new int[bins];
        var width = (max - min) / bins;
        foreach (var v in values)
        {
            // The largest value belongs to the last bin, not to one past it.
            counts[Math.Min(bins - 1, (int)((v - min) / width))]++;
        }

        return [.. counts.Select((c, i) => new Bin(min + (i * width), min + ((i + 1) * width), c))];
    }
}
