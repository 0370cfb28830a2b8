namespace PsTraining.Benchmarks;

/// <summary>
/// <c>dotnet run --project tests/Benchmarks -c Release -- [step] [options]</c>: the training step against python3-torch (default);
/// <c>-- transport [options]</c>: push+pull round trips against a plain Python grpcio server;
/// <c>-- simulate [options]</c>: events per second of the simulator in staleness-only mode;
/// <c>-- learners [options]</c>: learner processes against a parameter-server process, against a single python3-torch process;
/// <c>-- metrics [options]</c>: push throughput with the server's metrics on and off;
/// <c>-- classifier [options]</c>: the classifier experiment's default training runs against the same loop in python3-torch.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "transport" => await TransportBenchmark.RunAsync(args[1..]),
        "simulate" => SimulatorBenchmark.Run(args[1..]),
        "learners" => LearnerBenchmark.Run(args[1..]),
        "metrics" => await TransportBenchmark.RunMetricsAsync(args[1..]),
        "step" => StepBenchmark.Run(args[1..]),
        "classifier" => ClassifierBenchmark.Run(args[1..]),
        _ => StepBenchmark.Run(args),
    };
}
