namespace PsTraining.Models.Data;

/// <summary>A small reproducible generator (SplitMix64) with uniform and normal draws, for the synthetic data sets.</summary>
public sealed class SeededRandom(long seed)
{
    private ulong _state = unchecked((ulong)seed);
    private double? _spare;

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (DeterministicShuffle.NextSplitMix64(ref _state) >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>Standard normal by the Box–Muller transform (the second value of each pair is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }

        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        var r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    public int NextInt(int exclusiveHigh) => (int)(((UInt128)DeterministicShuffle.NextSplitMix64(ref _state) * (ulong)exclusiveHigh) >> 64);
}
