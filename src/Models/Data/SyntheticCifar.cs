namespace PsTraining.Models.Data;

/// <summary>
/// CIFAR-shaped synthetic images (3×32×32, 10 classes) for runs that need no download: each class has
/// its own smooth colour pattern (a random low-frequency template), and a sample is its class template
/// plus pixel noise, so a CNN can learn it but not trivially. Seeded and reproducible.
/// </summary>
public static class SyntheticCifar
{
    public const int Classes = 10;
    public const int Size = 32;

    public static ImageDataset Generate(int count, long seed, double noise = 0.35)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new SeededRandom(seed);
        var templates = new double[Classes][];
        for (var c = 0; c < Classes; c++)
        {
            templates[c] = Template(rng);
        }

        const int perImage = 3 * Size * Size;
        var pixels = new byte[count * perImage];
        var labels = new byte[count];
        for (var n = 0; n < count; n++)
        {
            var label = rng.NextInt(Classes);
            labels[n] = (byte)label;
            for (var i = 0; i < perImage; i++)
            {
                var v = templates[label][i] + (noise * rng.NextGaussian());
                pixels[(n * perImage) + i] = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
            }
        }

        var names = Enumerable.Range(0, Classes).Select(c => $"class {c}").ToArray();
        return new ImageDataset(pixels, labels, 3, Size, Size, names);
    }

    /// <summary>A per-channel sum of two random plane waves around mid-grey, in [0, 1].</summary>
    private static double[] Template(SeededRandom rng)
    {
        var t = new double[3 * Size * Size];
        for (var ch = 0; ch < 3; ch++)
        {
            var (fx, fy, phase) = (rng.Uniform(0.5, 3), rng.Uniform(0.5, 3), rng.Uniform(0, 2 * Math.PI));
            var (gx, gy, phase2) = (rng.Uniform(-3, 3), rng.Uniform(-3, 3), rng.Uniform(0, 2 * Math.PI));
            for (var y = 0; y < Size; y++)
            {
                for (var x = 0; x < Size; x++)
                {
                    var (u, v) = ((double)x / Size, (double)y / Size);
                    var value = 0.5 + (0.25 * Math.Sin((2 * Math.PI * ((fx * u) + (fy * v))) + phase)) + (0.2 * Math.Cos((2 * Math.PI * ((gx * u) + (gy * v))) + phase2));
                    t[(ch * Size * Size) + (y * Size) + x] = Math.Clamp(value, 0, 1);
                }
            }
        }

        return t;
    }
}
