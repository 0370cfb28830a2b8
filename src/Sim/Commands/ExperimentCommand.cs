using PsTraining.Experiments;
using System.CommandLine;

namespace PsTraining.Sim.Commands;

/// <summary>
/// <c>experiment list</c> and <c>experiment run NAME|all [--out DIR] [--seed N] [--scale tiny|default|full] [--threads N]</c>:
/// each run writes OUT/NAME/ (CSV data, figures as Vega-Lite specs and SVG, summary.md, run.json), and OUT/index.html
/// links them all.
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
        var scale = new Option<ExperimentScale>("--scale")
        {
            Description = "tiny (seconds, as the tests run), default (CPU-sized minutes) or full (the original sizes, hours on a CPU)",
            DefaultValueFactory = _ => ExperimentScale.Default,
        };
        var full = new Option<bool>("--full") { Description = "the same as --scale full" };
        var threads = new Option<int>("--threads")
        {
            Description = $"libtorch's intra-op thread count (default {ExperimentContext.DefaultThreads}: the same bits on every machine; "
                + "another count gives other bits, and each result records its count)",
            DefaultValueFactory = _ => ExperimentContext.DefaultThreads,
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError($"--threads must be at least 1, not {r.GetValueOrDefault<int>()}");
            }
        });
        var run = new Command("run", "Run an experiment (or all) and write its data, figures and summary.") { name, output, seed, scale, full, threads };
        run.SetAction(parse =>
        {
            try
            {
                var chosen = parse.GetValue(name) == "all" ? ExperimentRegistry.All : [ExperimentRegistry.Find(parse.GetValue(name)!)];
                var size = parse.GetValue(full) ? ExperimentScale.Full : parse.GetValue(scale);
                foreach (var experiment in chosen)
                {
                    ExperimentRunner.Run(experiment, parse.GetValue(output)!, parse.GetValue(seed), size, parse.GetValue(threads));
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
}
