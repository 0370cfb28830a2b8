using System.Globalization;
using System.Text.RegularExpressions;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>Reads what an experiment wrote: CSV rows by column name, numbers in invariant culture, and SVG text.</summary>
internal static class ResultFiles
{
    public static List<Dictionary<string, string>> ReadCsv(string dir, string name) => ReadCsv(Path.Combine(dir, name + ".csv"));

    public static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = Cells(lines[0]);
        return lines.Skip(1).Select(l => header.Zip(Cells(l)).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    /// <summary>The cells of one CSV line; a quoted cell may hold commas and doubled quotes.</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    public static long Long(this Dictionary<string, string> row, string column) => long.Parse(row[column], CultureInfo.InvariantCulture);

    public static double Number(this Dictionary<string, string> row, string column) => double.Parse(row[column], CultureInfo.InvariantCulture);

    /// <summary>
    /// Asserts that FIGURE.svg was rendered and draws each of <paramref name="texts"/> (series names, axis titles) whole
    /// inside one text element, not only in an aria label: a legend label cut off with "…" fails.
    /// </summary>
    public static void AssertFigure(string dir, string figure, params string[] texts)
    {
        var svg = File.ReadAllText(Path.Combine(dir, figure + ".svg"));
        Assert.StartsWith("<svg", svg);
        foreach (var text in texts)
        {
            var escaped = text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal); // SVG text escapes only markup
            Assert.Matches($">[^<]*{Regex.Escape(escaped)}[^<]*</text>", svg);
        }
    }
}
