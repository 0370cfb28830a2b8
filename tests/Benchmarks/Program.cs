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
    private const string Usage = """
        usage: dotnet run --project tests/Benchmarks -c Release -- [benchmark] [options]
          step        the training step against python3-torch (the default)
          transport   push+pull round trips against a plain Python grpcio server (--seconds, --sizes, --learners)
          servers     push+pull round trips against server processes of two builds, alternating (--dlls OLD,NEW)
          simulate    events per second of the simulator in staleness-only mode, against SimPy
          learners    learner processes against a parameter-server process, against one python3-torch process
          metrics     push throughput with the server's metrics on and off
          classifier  the classifier experiment's training runs against the same loop in python3-torch
        Each prints its results as a table with ratios against the reference measured in the same run (BENCHMARKS.md).
        """;

    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "--help" or "-h" or "help" => Help(),
        "transport" => await TransportBenchmark.RunAsync(args[1..]),
        "servers" => await TransportBenchmark.RunServersAsync(args[1..]),
        "simulate" => SimulatorBenchmark.Run(args[1..]),
        "learners" => LearnerBenchmark.Run(args[1..]),
        "metrics" => await TransportBenchmark.RunMetricsAsync(args[1..]),
        "step" => StepBenchmark.Run(args[1..]),
        "classifier" => ClassifierBenchmark.Run(args[1..]),
        _ => StepBenchmark.Run(args),
    };

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }
}
