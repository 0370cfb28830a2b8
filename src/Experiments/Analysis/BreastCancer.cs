using System.Globalization;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// The Wisconsin breast-cancer data set as scikit-learn ships it (569 samples, 30 features), exported once by
/// tests/reference/export_breast_cancer.py to Analysis/Data/breast-cancer.csv, which the build copies to data/ beside
/// the program. The label is 1 for malignant, the positive class.
/// </summary>
internal sealed record BreastCancer(IReadOnlyList<string> FeatureNames, double[][] Features, int[] Labels)
{
    public const string FileName = "breast-cancer.csv";

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "data", FileName);

    public static BreastCancer Load(string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the breast-cancer fixture '{path}' is missing: build the solution (PsTraining.Experiments copies src/Experiments/Analysis/Data/{FileName} beside the program)", path);
        }

        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        if (header.Length < 2 || header[^1] != "malignant")
        {
            throw new InvalidDataException($"'{path}' must have feature columns and a last column 'malignant'; its header is '{lines[0]}'");
        }

        var features = new double[lines.Length - 1][];
        var labels = new int[lines.Length - 1];
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
            {
                throw new InvalidDataException($"'{path}' line {i + 1} has {cells.Length} cells where the header has {header.Length}");
            }

            features[i - 1] = [.. cells[..^1].Select(c => double.Parse(c, CultureInfo.InvariantCulture))];
            labels[i - 1] = cells[^1] switch
            {
                "1" => 1,
                "0" => 0,
                _ => throw new InvalidDataException($"'{path}' line {i + 1}: malignant must be 0 or 1, got '{cells[^1]}'"),
            };
        }

        return new BreastCancer(header[..^1], features, labels);
    }
}
