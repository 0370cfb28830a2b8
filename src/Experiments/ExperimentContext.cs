using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace PsTraining.Experiments;

/// <summary>
/// What an experiment writes into its results directory: CSV data, Vega-Lite figures (rendered to SVG when the
/// experiment ends), and the lines of its <c>summary.md</c>. Also what decides its numbers (seed, scale, libtorch thread
/// count) and a progress line.
/// </summary>
public sealed class ExperimentContext(string directory, long seed, ExperimentScale scale, int threads, TextWriter progress)
{
    /// <summary>The folder, inside a result, of what the machine measured.</summary>
    public const string MeasuredFolder = "measured";

    private ExperimentContext? _measured;

    /// <summary>
    /// libtorch's intra-op thread count unless <c>--threads</c> says otherwise: one thread gives the same bits on every
    /// machine (another count sums in another order), and the experiments are small enough not to need more.
    /// </summary>
    public const int DefaultThreads = 1;

    private readonly List<string> _figures = [];
    private readonly StringBuilder _summary = new();

    public string Directory { get; } = directory;

    public long Seed { get; } = seed;

    public ExperimentScale Scale { get; } = scale;

    /// <summary>The original, full-size scale (for a GPU machine).</summary>
    public bool Full => Scale == ExperimentScale.Full;

    /// <summary>libtorch's intra-op thread count for the whole run (set by the runner, recorded in the summary).</summary>
    public int Threads { get; } = threads;

    /// <summary>The specs written so far (FIGURE.vl.json), each to be rendered to FIGURE.svg.</summary>
    public IReadOnlyList<string> Figures => _figures;

    public string Summary => _summary.ToString();

    /// <summary>
    /// Where what the machine measured goes (durations, memory): NAME/measured/, with its own files, figures and summary.
    /// Everything else an experiment writes follows from its seed, scale and thread count, byte for byte; these do not.
    /// </summary>
    public ExperimentContext Measured => _measured ??= new ExperimentContext(Path.Combine(Directory, MeasuredFolder), Seed, Scale, Threads, progress);

    /// <summary>The measured part, if the experiment wrote one.</summary>
    internal ExperimentContext? MeasuredIfAny => _measured;

    public void Progress(string message) => progress.WriteLine(message);

    /// <summary>The one of three settings that this run's scale picks.</summary>
    public T Sized<T>(T tiny, T @default, T full) => Scale switch
    {
        ExperimentScale.Tiny => tiny,
        ExperimentScale.Full => full,
        _ => @default,
    };

    /// <summary>Writes NAME.csv: a header row and one row per item, numbers in invariant culture.</summary>
    public string WriteCsv(string name, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        System.IO.Directory.CreateDirectory(Directory);
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
        System.IO.Directory.CreateDirectory(Directory);
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
