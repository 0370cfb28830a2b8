using System.Diagnostics;
using System.Globalization;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;
using PsTraining.Sim.Simulation;

namespace PsTraining.Benchmarks;

/// <summary>
/// The simulator in staleness-only mode: many constant-speed learners (step times spread over 1..2) through the real
/// parameter-server core, timed until a number of gradients have been applied. Prints events per second and peak memory.
/// Usage: dotnet run --project tests/Benchmarks -c Release -- simulate [--learners 10000] [--gradients 1000000]
/// </summary>
public static class SimulatorBenchmark
{
    public static int Run(string[] args)
    {
        var learners = 10_000;
        var gradients = 1_000_000L;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--learners": learners = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--gradients": gradients = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}: expected --learners or --gradients");
            }
        }

        // Step times 1.000 .. 1.999: a learner applies about ln 2 ≈ 0.693 gradients per time unit.
        var steps = Enumerable.Range(0, learners).Select(i => 1m + (i % 1000) / 1000m).ToList();
        var scale = TimeScale.For(steps);
        var until = gradients / (learners * 0.6931m);
        var simulation = new StalenessSimulation(steps.Select(s => (SpeedModel)new ConstantSpeed(s)).ToList(), ConsistencyPolicy.Asp);
        var before = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var count = 0L;
        simulation.Run(scale.ToTicks(until), scale, _ => count++);
        var seconds = clock.Elapsed.TotalSeconds;
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {learners} | {count} | {seconds:F2} | {count / seconds / 1e6:F3} | {process.PeakWorkingSet64 / 1048576.0:F0} | {(GC.GetTotalAllocatedBytes() - before) / (double)count:F0} |"));
        return 0;
    }
}
