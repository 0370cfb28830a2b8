using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace PsTraining.Sim.Experiments;

/// <summary>
/// <c>experiment list</c> and <c>experiment run NAME|all [--out DIR] [--seed N] [--full]</c>: each run writes
/// OUT/NAME/ (CSV data, figures as Vega-Lite specs and SVG, summary.md), and OUT/index.html links them all.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the experiments.");
        list.SetAction(_ =>
        {
            foreach (var e in ExperimentRegistry.All)
            {
                Console.WriteLine($"{e.Name,-24} {e.Description}");
            }

            return 0;
        });

        var name = new Argument<string>("name") { Description = "an experiment from `experiment list`, or all" };
        var output = new Option<string>("--out") { Description = "results directory; each experiment writes OUT/NAME/", DefaultValueFactory = _ => "results" };
        var seed = new Option<long>("--seed") { Description = "seed of every random choice", DefaultValueFactory = _ => 1 };
        var full = new Option<bool>("--full") { Description = "the original, full-size configuration (hours on a CPU; meant for a GPU machine)" };
        var run = new Command("run", "Run an experiment (or all) and write its data, figures and summary.") { name, output, seed, full };
        run.SetAction(parse =>
        {
            try
            {
                var chosen = parse.GetValue(name) == "all" ? ExperimentRegistry.All : [ExperimentRegistry.Find(parse.GetValue(name)!)];
                foreach (var experiment in chosen)
                {
                    Run(experiment, parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(full));
                }

                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });

        return new Command("experiment", "The experiment suite: reproducible runs that write data, figures and a summary.") { list, run };
    }

    /// <summary>Runs one experiment into OUT/NAME, renders its figures, writes summary.md and refreshes OUT/index.html.</summary>
    public static string Run(IExperiment experiment, string output, long seed, bool full)
    {
        var directory = Path.Combine(output, experiment.Name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true); // no stale figure of an earlier run survives
        }

        Directory.CreateDirectory(directory);
        var clock = Stopwatch.StartNew();
        Console.Error.WriteLine($"experiment {experiment.Name}: seed {seed}{(full ? ", full size" : "")}, writing {directory}");
        var context = new ExperimentContext(directory, seed, full, Console.Error);
        experiment.Run(context);
        FigureRenderer.Render(context.Figures);
        File.WriteAllText(Path.Combine(directory, "summary.md"),
            $"# {experiment.Name}\n\n{experiment.Description}\n\nSeed {seed}{(full ? ", full size" : "")}; {clock.Elapsed.TotalSeconds:F0} s.\n\n{context.Summary}");
        WriteIndex(output);
        Console.Error.WriteLine($"experiment {experiment.Name}: done in {clock.Elapsed.TotalSeconds:F0} s; see {Path.Combine(directory, "summary.md")}");
        return directory;
    }

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
            string Link(string file) => $"<a href=\"{Href(name, file)}\">{WebUtility.HtmlEncode(file)}</a>";
            html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"{WebUtility.HtmlEncode(name)}\">{WebUtility.HtmlEncode(name)}</h2>\n<p>{Link("summary.md")}");
            foreach (var data in Directory.GetFiles(dir, "*.csv").Order(StringComparer.Ordinal))
            {
                html.Append(CultureInfo.InvariantCulture, $" · {Link(Path.GetFileName(data))}");
            }

            html.Append("</p>\n");
            var summary = File.ReadAllLines(Path.Combine(dir, "summary.md")).SkipWhile(l => l.StartsWith("# ", StringComparison.Ordinal)); // the heading is the h2
            html.Append(CultureInfo.InvariantCulture, $"<pre>{WebUtility.HtmlEncode(string.Join('\n', summary).Trim())}</pre>\n");
            foreach (var svg in Directory.GetFiles(dir, "*.svg").Order(StringComparer.Ordinal))
            {
                var file = Path.GetFileName(svg);
                html.Append(CultureInfo.InvariantCulture, $"<img src=\"{Href(name, file)}\" alt=\"{WebUtility.HtmlEncode(file)}\">\n");
            }
        }

        File.WriteAllText(Path.Combine(output, "index.html"), html.Append("</body></html>\n").ToString());
    }

    private static string Href(string directory, string file) => WebUtility.HtmlEncode($"{Uri.EscapeDataString(directory)}/{Uri.EscapeDataString(file)}");
}
