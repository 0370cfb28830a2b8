using PsTraining.Hosting;

namespace PsTraining.Benchmarks;

/// <summary>
/// <c>dotnet run --project tests/Benchmarks -c Release -- [step] [options]</c>: the training step against python3-torch (default);
/// <c>-- transport [options]</c>: push+pull round trips against a plain Python grpcio server;
/// <c>-- servers [options]</c>: push+pull round trips against server processes of different builds;
/// <c>-- simulate [options]</c>: events per second of the simulator in staleness-only mode;
/// <c>-- learners [options]</c>: learner processes against a parameter-server process, against a single python3-torch process;
/// <c>-- metrics [options]</c>: push throughput with the server's metrics on and off;
/// <c>-- classifier [options]</c>: the classifier experiment's default training runs against the same loop in python3-torch.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = CommandLineOptions.Create<BenchmarkOptions>(
            "PsTraining's benchmarks; each prints its results as a table with ratios against the reference measured in the same run (BENCHMARKS.md). " +
            "Without a benchmark's name: the training step against python3-torch.", o => Task.FromResult(StepBenchmark.Run(o)));
        root.Subcommands.Add(CommandLineOptions.Command<BenchmarkOptions>("step", "the training step against python3-torch (the default)", StepBenchmark.Run));
        root.Subcommands.Add(CommandLineOptions.Command<TransportOptions>("transport", "push+pull round trips against a plain Python grpcio server", TransportBenchmark.RunAsync));
        root.Subcommands.Add(CommandLineOptions.Command<ServersOptions>("servers", "push+pull round trips against server processes of two builds, alternating", TransportBenchmark.RunServersAsync));
        root.Subcommands.Add(CommandLineOptions.Command<SimulateOptions>("simulate", "events per second of the simulator in staleness-only mode, against SimPy", SimulatorBenchmark.Run));
        root.Subcommands.Add(CommandLineOptions.Command<LearnersBenchmarkOptions>("learners", "learner processes against a parameter-server process, against one python3-torch process", LearnerBenchmark.Run));
        root.Subcommands.Add(CommandLineOptions.Command<MetricsBenchmarkOptions>("metrics", "push throughput with the server's metrics on and off", TransportBenchmark.RunMetricsAsync));
        root.Subcommands.Add(CommandLineOptions.Command<BenchmarkOptions>("classifier", "the classifier experiment's training runs against the same loop in python3-torch (--threads and --repeats apply)", ClassifierBenchmark.Run));
        return root.Parse(args).InvokeAsync();
    }
}
