using System.Globalization;

namespace PsTraining.Protocol;

/// <summary>
/// Partition <see cref="Index"/> of <see cref="Count"/> parameter-server processes: the range [Start, Start + Length)
/// of the model's flat vector. The ranges split the vector evenly, so every process holds about 1/N of the floats.
/// A tensor that lies wholly inside the range keeps its name and shape; one cut by a boundary becomes the flat piece
/// "name[a:b]" of its values a..b−1. Partition 0 of 1 is the whole model, unchanged.
/// </summary>
public sealed record ParameterPartition(int Index, int Count, int Start, int Length, ParameterLayout Layout)
{
    /// <summary>Parses "K/N" (0 ≤ K &lt; N), as given to <c>--partition</c>.</summary>
    public static (int Index, int Count) Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index >= count)
        {
            throw new ArgumentException($"expected K/N with 0 <= K < N (partition K of N server processes), not '{text}'");
        }

        return (index, count);
    }

    /// <summary>Partition <paramref name="index"/> of <paramref name="count"/> of <paramref name="model"/>.</summary>
    public static ParameterPartition Of(ParameterLayout model, int index, int count)
    {
        if (count < 1 || index < 0 || index >= count)
        {
            throw new ArgumentException($"partition {index} of {count} does not exist");
        }

        if (count > model.TotalLength)
        {
            throw new ArgumentException($"the model has {model.TotalLength} floats: it cannot be split over {count} servers");
        }

        var start = (int)((long)model.TotalLength * index / count);
        var end = (int)((long)model.TotalLength * (index + 1) / count);
        var pieces = new List<(string, long[])>();
        foreach (var t in model.Tensors)
        {
            var (from, to) = (Math.Max(start, t.Offset), Math.Min(end, t.Offset + t.Length));
            if (from >= to)
            {
                continue;
            }

            pieces.Add(to - from == t.Length ? (t.Name, t.Shape) : ($"{t.Name}[{from - t.Offset}:{to - t.Offset}]", [to - from]));
        }

        return new ParameterPartition(index, count, start, end - start, new ParameterLayout(pieces));
    }

    /// <summary>How a person names it: "partition 1/2 (floats 30853..61705)".</summary>
    public override string ToString() => $"partition {Index}/{Count} (floats {Start}..{Start + Length - 1})";
}
