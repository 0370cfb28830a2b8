using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace PsTraining.Sim.Experiments;

/// <summary>
/// What an experiment writes into its results directory: CSV data, Vega-Lite figures (rendered to SVG when the
/// experiment ends), and the lines of its <c>summary.md</c>. Also its seed, its scale, and a progress line.
/// </summary>
public sealed class ExperimentContext(string directory, long seed, bool full, TextWriter progress)
{
    private readonly List<string> _figures = [];
    private readonly StringBuilder _summary = new();

    public string Directory { get; } = directory;

    public long Seed { get; } = seed;

    /// <summary>The original, full-size scale (for a GPU machine) instead of the CPU-sized default.</summary>
    public bool Full { get; } = full;

    /// <summary>The specs written so far (FIGURE.vl.json), each to be rendered to FIGURE.svg.</summary>
    public IReadOnlyList<string> Figures => _figures;

    public string Summary => _summary.ToString();

    public void Progress(string message) => progress.WriteLine(message);

    /// <summary>Writes NAME.csv: a header row and one row per item, numbers in invariant culture.</summary>
    public string WriteCsv(string name, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var path = Path.Combine(Directory, name + ".csv");
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(',', header.Select(Cell)));
        foreach (var row in rows)
        {
            writer.WriteLine(string.Join(',', row.Select(Cell)));
        }

        return path;
    }

    /// <summary>Writes NAME.vl.json, a self-contained Vega-Lite spec (its data inline); rendered to NAME.svg at the end.</summary>
    public void AddFigure(string name, JsonNode spec)
    {
        var path = Path.Combine(Directory, name + ".vl.json");
        File.WriteAllText(path, spec.ToJsonString(new() { WriteIndented = true }));
        _figures.Add(path);
    }

    /// <summary>Appends a line (Markdown) to summary.md.</summary>
    public void WriteSummary(string markdown = "") => _summary.AppendLine(markdown);

    private static string Cell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ when value.ToString() is { } s && s.IndexOfAny([',', '"', '\n']) >= 0 => $"\"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\"",
        _ => value.ToString() ?? "",
    };
}
