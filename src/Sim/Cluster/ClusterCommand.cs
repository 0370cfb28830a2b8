using System.CommandLine;
using PsTraining.Hosting;

namespace PsTraining.Sim.Cluster;

/// <summary><c>cluster</c>: one parameter server (or a cluster of them) and N learner processes of different speeds on this machine, with a live view and fault injection.</summary>
internal static class ClusterCommand
{
    public static Command Create() => CommandLineOptions.Command<ClusterOptions>("cluster",
        "Run one parameter server (or a cluster of several) and learner processes of different speeds on this machine, with a live view, fault injection and a run directory.",
        async options =>
        {
            // Ctrl-C and SIGTERM end the run cleanly: the launcher stops every process it started before it exits.
            using var interrupt = new StopSignals();
            try
            {
                return await new ClusterRun(options, Console.Out).RunAsync(interrupt.Token);
            }
            catch (InvalidOperationException e)
            {
                // A process that cannot be started, or a port that is taken: everything started so far has been stopped.
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
}
