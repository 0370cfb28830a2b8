using System.CommandLine;
using PsTraining.Sim.Cluster;
using PsTraining.Experiments;
using PsTraining.Sim.Commands;
using PsTraining.Sim.ModelCommands;
using PsTraining.Simulation;
using PsTraining.Experiments.Training;
using Spectre.Console;

namespace PsTraining.Sim;

/// <summary>The command line: <c>models</c>, <c>train</c>, the simulator (<c>staleness</c>, <c>example-2.5x</c>, <c>run</c>, <c>hybrid</c>) <c>experiment</c> and the local launcher <c>cluster</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and pipes get plain text, wide enough for the tables, without colour codes.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(Console.Out),
            });
            AnsiConsole.Profile.Width = 200;
        }

        return BuildRoot().Parse(args).Invoke();
    }

    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("PsTraining: parameter-server training, simulation and the single-node suite.");
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        foreach (var command in StalenessCommand.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(HybridCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        return root;
    }
}
