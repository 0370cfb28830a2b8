using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// Colourisation samples made offline from <see cref="SyntheticCifar"/> (each class a smooth colour pattern, here with
/// light noise): the input is the grayscale image (the mean of R, G and B), and each pixel's target is its colour class,
/// the channel values rounded to the nearest of {0, ½, 1}, which gives a palette of 3³ = 27 colours.
/// </summary>
public sealed class ColourisationSet
{
    public const int Levels = 3;

    public const int NumColours = Levels * Levels * Levels;

    public const int Size = SyntheticCifar.Size;

    private const int Pixels = Size * Size;

    /// <summary>Pixel noise of the generated images (SyntheticCifar's default, 0.35, would make the colours mostly noise).</summary>
    public const double Noise = 0.05;

    private readonly float[] _gray;
    private readonly long[] _classes;

    private ColourisationSet(float[] gray, long[] classes)
    {
        _gray = gray;
        _classes = classes;
    }

    public int Count => _classes.Length / Pixels;

    /// <summary><paramref name="train"/> training and <paramref name="validation"/> validation samples drawn from the same class patterns.</summary>
    public static (ColourisationSet Train, ColourisationSet Validation) Generate(int train, int validation, long seed)
    {
        var images = SyntheticCifar.Generate(train + validation, seed, Noise);
        return (From(images, 0, train), From(images, train, validation));
    }

    private static ColourisationSet From(ImageDataset images, int first, int count)
    {
        var gray = new float[count * Pixels];
        var classes = new long[count * Pixels];
        for (var n = 0; n < count; n++)
        {
            var rgb = images.Pixels(first + n);
            for (var i = 0; i < Pixels; i++)
            {
                var (r, g, b) = (rgb[i], rgb[Pixels + i], rgb[(2 * Pixels) + i]);
                gray[(n * Pixels) + i] = (r + g + b) / (3f * 255f);
                classes[(n * Pixels) + i] = (((Level(r) * Levels) + Level(g)) * Levels) + Level(b);
            }
        }

        return new ColourisationSet(gray, classes);
    }

    private static int Level(byte channel) => (int)Math.Round(channel * (Levels - 1) / 255.0, MidpointRounding.AwayFromZero);

    /// <summary>The RGB colour (0–255 per channel) of a colour class.</summary>
    public static (int R, int G, int B) Colour(long colourClass)
    {
        var step = 255 / (Levels - 1.0);
        var (r, g, b) = (colourClass / (Levels * Levels), colourClass / Levels % Levels, colourClass % Levels);
        return ((int)Math.Round(r * step), (int)Math.Round(g * step), (int)Math.Round(b * step));
    }

    /// <summary>The grayscale input of one sample, [0, 1] row by row.</summary>
    public ReadOnlySpan<float> Gray(int index) => _gray.AsSpan(index * Pixels, Pixels);

    /// <summary>The colour classes of one sample, row by row.</summary>
    public ReadOnlySpan<long> Classes(int index) => _classes.AsSpan(index * Pixels, Pixels);

    /// <summary>The samples <paramref name="indices"/>: grayscale [B, 1, 32, 32] and colour classes [B, 32, 32].</summary>
    public (Tensor Gray, Tensor Classes) Batch(ReadOnlySpan<int> indices)
    {
        var gray = new float[indices.Length * Pixels];
        var classes = new long[indices.Length * Pixels];
        for (var b = 0; b < indices.Length; b++)
        {
            Gray(indices[b]).CopyTo(gray.AsSpan(b * Pixels));
            Classes(indices[b]).CopyTo(classes.AsSpan(b * Pixels));
        }

        return (LibtorchTensor.From(gray, [indices.Length, 1, Size, Size]), tensor(classes, [indices.Length, Size, Size]));
    }

    /// <summary>The share of pixels of the most frequent colour class: the accuracy of always predicting it.</summary>
    public double MajorityShare() => (double)_classes.CountBy(c => c).Max(p => p.Value) / _classes.Length;
}
