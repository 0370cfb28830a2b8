namespace PsTraining.Experiments.Analysis;

/// <summary>Summary numbers of one parameter's gradient: how many values, how many exactly zero, range, mean |g| and L2 norm.</summary>
public sealed record GradientStats(int Count, int Zeros, double Min, double Max, double MeanAbs, double L2)
{
    public static GradientStats Of(IReadOnlyList<float> values) =>
        new(values.Count, values.Count(v => v == 0), values.Min(), values.Max(), values.Average(v => Math.Abs((double)v)),
            Math.Sqrt(values.Sum(v => (double)v * v)));
}
