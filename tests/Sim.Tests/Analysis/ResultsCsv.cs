using System.Globalization;

namespace PsTraining.Sim.Tests.Analysis;

/// <summary>Reads an experiment's CSV (plain cells, no quoting) as rows keyed by the header.</summary>
internal static class ResultsCsv
{
    public static List<Dictionary<string, string>> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    public static double Number(this Dictionary<string, string> row, string column) => double.Parse(row[column], CultureInfo.InvariantCulture);

    /// <summary>
    /// Asserts that an SVG figure of <paramref name="directory"/> exists and draws each of <paramref name="texts"/> (series,
    /// axis titles) in full as a text element, not only in an aria label (a legend label that is cut off fails).
    /// </summary>
    public static void AssertFigure(string directory, string figure, params string[] texts)
    {
        var svg = File.ReadAllText(Path.Combine(directory, figure + ".svg"));
        Assert.StartsWith("<svg", svg);
        foreach (var text in texts)
        {
            Assert.Contains($">{text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)}</text>", svg); // SVG text escapes only markup
        }
    }
}
