using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PsTraining.Models.Torch;
using TorchSharp;

namespace PsTraining.Experiments;

/// <summary>
/// The experiment suite's front door: runs an experiment into OUT/NAME (CSV data, figures as Vega-Lite specs and SVG,
/// summary.md, run.json) and keeps OUT/index.html linking them all.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Runs one experiment into OUT/NAME, renders its figures, writes summary.md and run.json and refreshes OUT/index.html.
    /// The run holds libtorch's generator and thread count for its whole length (<see cref="Reproducible"/>), so the same
    /// seed and thread count write the same files byte for byte, except what the machine measured: NAME/measured/ (the
    /// experiment's own timings) and run.json (the run's start and duration).
    /// </summary>
    public static string Run(IExperiment experiment, string output, long seed, ExperimentScale scale = ExperimentScale.Default,
        int threads = ExperimentContext.DefaultThreads)
    {
        var directory = Path.Combine(output, experiment.Name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true); // no stale figure of an earlier run survives
        }

        Directory.CreateDirectory(directory);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var produced = string.Create(CultureInfo.InvariantCulture, $"seed {seed}, {scale.Name()} scale, {threads} libtorch thread{(threads == 1 ? "" : "s")}");
        Console.Error.WriteLine($"experiment {experiment.Name}: {produced}, writing {directory}");
        using (Reproducible.Enter(seed, threads))
        {
            var context = new ExperimentContext(directory, seed, scale, threads, Console.Error);
            experiment.Run(context);
            FigureRenderer.Render([.. context.Figures, .. context.MeasuredIfAny?.Figures ?? []]);
            File.WriteAllText(Path.Combine(directory, "summary.md"),
                $"# {experiment.Name}\n\n{experiment.Description}\n\nProduced with {produced} (libtorch {torch.__version__}).\n\n{context.Summary}");
            if (context.MeasuredIfAny is { Summary.Length: > 0 } measured)
            {
                File.WriteAllText(Path.Combine(measured.Directory, "summary.md"), $"# {experiment.Name}: measured on this machine\n\n{measured.Summary}");
            }
        }

        var record = new JsonObject
        {
            ["experiment"] = experiment.Name, ["seed"] = seed, ["scale"] = scale.Name(), ["threads"] = threads,
            ["libtorch"] = torch.__version__, ["started"] = started.ToString("O", CultureInfo.InvariantCulture), ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
        };
        File.WriteAllText(Path.Combine(directory, RunRecordFile), record.ToJsonString(new() { WriteIndented = true }));
        WriteIndex(output);
        Console.Error.WriteLine($"experiment {experiment.Name}: done in {clock.Elapsed.TotalSeconds:F0} s; see {Path.Combine(directory, "summary.md")}");
        return directory;
    }

    /// <summary>
    /// NAME/run.json: what produced the result (experiment, seed, scale, threads, libtorch) and what the machine measured
    /// (start, seconds). With measured/, all that differs between two runs of the same seed.
    /// </summary>
    public const string RunRecordFile = "run.json";

    /// <summary>
    /// OUT/index.html: every experiment found in OUT, with its summary (the Markdown text itself, which reads well as
    /// plain text; browsers offer a linked .md or .csv file for download rather than showing it), links to its files,
    /// and its figures. Links are URL-escaped, text is HTML-escaped.
    /// </summary>
    private static void WriteIndex(string output)
    {
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>PsTraining experiments</title>\n"
            + "<style>body{font-family:sans-serif;margin:2em;max-width:70em} img{max-width:100%;margin:0.5em 0;display:block} "
            + "pre{white-space:pre-wrap;background:#f6f6f6;padding:0.8em}</style></head><body>\n"
            + "<h1>PsTraining experiments</h1>\n");
        foreach (var dir in Directory.GetDirectories(output).Order(StringComparer.Ordinal).Where(d => File.Exists(Path.Combine(d, "summary.md"))))
        {
            var name = Path.GetFileName(dir);
            html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"{WebUtility.HtmlEncode(name)}\">{WebUtility.HtmlEncode(name)}</h2>\n");
            AppendPart(html, dir, [name]);
            if (Directory.Exists(Path.Combine(dir, ExperimentContext.MeasuredFolder)))
            {
                html.Append("<h3>Measured on this machine</h3>\n");
                AppendPart(html, Path.Combine(dir, ExperimentContext.MeasuredFolder), [name, ExperimentContext.MeasuredFolder]);
            }
        }

        File.WriteAllText(Path.Combine(output, "index.html"), html.Append("</body></html>\n").ToString());
    }

    /// <summary>One folder of a result: links to its summary and CSV files, the summary's text, and its figures.</summary>
    private static void AppendPart(StringBuilder html, string dir, string[] path)
    {
        string Link(string file) => $"<a href=\"{Href([.. path, file])}\">{WebUtility.HtmlEncode(file)}</a>";
        var hasSummary = File.Exists(Path.Combine(dir, "summary.md"));
        var files = (hasSummary ? ["summary.md"] : Array.Empty<string>()).Concat(Directory.GetFiles(dir, "*.csv").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        html.Append("<p>").AppendJoin(" · ", files.Select(Link)).Append("</p>\n");
        if (hasSummary)
        {
            var summary = File.ReadAllLines(Path.Combine(dir, "summary.md")).SkipWhile(l => l.StartsWith("# ", StringComparison.Ordinal)); // the heading is the h2
            html.Append(CultureInfo.InvariantCulture, $"<pre>{WebUtility.HtmlEncode(string.Join('\n', summary).Trim())}</pre>\n");
        }

        foreach (var svg in Directory.GetFiles(dir, "*.svg").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(svg);
            html.Append(CultureInfo.InvariantCulture, $"<img src=\"{Href([.. path, file])}\" alt=\"{WebUtility.HtmlEncode(file)}\">\n");
        }
    }

    private static string Href(string[] path) => WebUtility.HtmlEncode(string.Join('/', path.Select(Uri.EscapeDataString)));
}
