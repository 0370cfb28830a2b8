using PsTraining.Experiments;
using System.CommandLine;
using PsTraining.Hosting;

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

        var run = CommandLineOptions.Command<ExperimentRunOptions>("run", "Run an experiment (or all) and write its data, figures and summary.", o =>
        {
            try
            {
                var chosen = o.Name == "all" ? ExperimentRegistry.All : [ExperimentRegistry.Find(o.Name)];
                foreach (var experiment in chosen)
                {
                    ExperimentRunner.Run(experiment, o.Out, o.Seed, o.Full ? ExperimentScale.Full : o.Scale, o.Threads);
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
