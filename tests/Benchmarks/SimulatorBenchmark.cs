using System.Diagnostics;
using System.Globalization;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;
using PsTraining.Simulation;

namespace PsTraining.Benchmarks;

/// <summary>
/// The simulator in staleness-only mode: many constant-speed learners (step times spread over 1..2) through the real
/// parameter-server core, timed until a number of gradients have been applied. In the same run, the same workload in
/// SimPy (Debian's python3-simpy, reference_simpy.py) on fewer events, since it is slower. Prints events per second,
/// peak memory, bytes allocated per event and the ratio to SimPy, medians over alternating repeats.
/// Usage: dotnet run --project tests/Benchmarks -c Release -- simulate [--learners 10000] [--gradients 10000000]
///        [--simpy-gradients 1000000] [--repeats 3] [--distinct 1000 (distinct step times, 1 + (i mod D)/D)]
/// </summary>
public static class SimulatorBenchmark
{
    public static int Run(SimulateOptions options)
    {
        var (learners, gradients, simpyGradients, repeats, distinct) = (options.Learners, options.Gradients, options.SimpyGradients, options.Repeats, options.Distinct);
        var ours = new List<double>();
        var simpy = new List<double>();
        var (count, bytesPerEvent) = (0L, 0.0);
        for (var r = 0; r < repeats; r++)
        {
            (count, var rate, bytesPerEvent) = TimeOurs(learners, gradients, distinct);
            ours.Add(rate);
            simpy.Add(TimeSimPy(learners, simpyGradients, distinct));
        }

        using var process = Process.GetCurrentProcess();
        Console.WriteLine("| learners | distinct speeds | gradients | M events/s | SimPy M events/s | ratio | peak MB | bytes/event |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {learners} | {Math.Min(distinct, learners)} | {count} | {Median(ours) / 1e6:F3} | {Median(simpy) / 1e6:F3} | {Median(ours) / Median(simpy):F1} | {process.PeakWorkingSet64 / 1048576.0:F0} | {bytesPerEvent:F0} |"));
        return 0;
    }

    private static (long Count, double EventsPerSecond, double BytesPerEvent) TimeOurs(int learners, long gradients, int distinct)
    {
        // Step times 1 + (i mod D)/D, in [1, 2): together the learners apply Σ 1/T_i gradients per time unit.
        var steps = Enumerable.Range(0, learners).Select(i => 1m + (decimal)(i % distinct) / distinct).ToList();
        var rate = steps.Sum(s => 1 / (double)s);
        var scale = TimeScale.For(steps);
        var simulation = new StalenessSimulation(steps.Select(s => (SpeedModel)new ConstantSpeed(s)).ToList(), ConsistencyPolicy.Asp);
        var before = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var count = 0L;
        simulation.Run(scale.ToTicks((decimal)(gradients / rate)), scale, _ => count++);
        var seconds = clock.Elapsed.TotalSeconds;
        return (count, count / seconds, (GC.GetTotalAllocatedBytes() - before) / (double)count);
    }

    private static double TimeSimPy(int learners, long gradients, int distinct)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "reference_simpy.py"), $"{learners}", $"{gradients}", $"{distinct}" })
        {
            info.ArgumentList.Add(a);
        }

        using var python = Process.Start(info) ?? throw new InvalidOperationException("could not start /usr/bin/python3 (apt-get install python3-simpy)");
        var output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            throw new InvalidOperationException($"the SimPy reference failed with exit code {python.ExitCode} (apt-get install python3-simpy)");
        }

        return double.Parse(output.Split(' ')[3], CultureInfo.InvariantCulture) * 1e6;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
