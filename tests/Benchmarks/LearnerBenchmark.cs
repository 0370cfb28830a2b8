using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PsTraining.Benchmarks;

/// <summary>
/// Learner processes against a real parameter-server process (the local launcher, <c>cluster</c>): aggregate
/// gradients per second of 1, 2 and 4 CPU learners on LeNet-5 (batch 64, one libtorch thread each, running free),
/// timed from their push logs after a warm-up; against the same training step in a single python3-torch process with
/// one thread. The ratio for one learner is the cost of the parameter-server round trip (push, pull, flat copies) on
/// top of the step. Each count runs three ways: the weights folded into the push's response (the learners' default, one
/// round trip a step), pulled with a call of their own (--separate-pull, two), and overlapped (--overlap: the next gradient
/// is computed while the push is in flight, one version staler). This machine's speed drifts between
/// minutes, so every run of ours follows a PyTorch block of as many steps, and a row gives the medians over the pairs
/// and the median of the pairs' ratios.
/// Usage: dotnet run --project tests/Benchmarks -c Release -- learners [--steps 400] [--learners 1,2,4] [--pairs 3]
/// </summary>
public static class LearnerBenchmark
{
    public static int Run(LearnersBenchmarkOptions options)
    {
        var (steps, pairs, counts) = (options.Steps, options.Pairs, CommaList.Integers(options.Learners));
        var rows = new List<string>();
        var torchVersion = "?";
        foreach (var n in counts)
        {
            foreach (var mode in Modes)
            {
                var measured = new List<(double PyTorchMs, LearnerRun Ours)>();
                for (var p = 0; p < pairs; p++)
                {
                    (torchVersion, var pytorchMs) = StepBenchmark.TimePyTorchBlock("lenet5", new BenchmarkOptions { Threads = 1, Batch = 64, Steps = steps, Warmup = 10 });
                    var ours = AggregateRate(n, steps, mode.LearnerArgs);
                    measured.Add((pytorchMs, ours));
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{n} learner(s), {mode.Name}, pair {p + 1}/{pairs}: PyTorch {pytorchMs:F2} ms/step, ours {ours.MsPerGradient:F2} ms/gradient"));
                }

                double Median(Func<(double PyTorchMs, LearnerRun Ours), double> of) => StepBenchmark.Stats(measured.Select(of).ToList()).Median;
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {n} | {mode.Name} | {Median(m => m.Ours.Rate):F1} | {Median(m => m.Ours.MsPerGradient):F2} | " +
                    $"{Median(m => m.PyTorchMs):F2} | {Median(m => m.Ours.MsPerGradient / m.PyTorchMs):F3} | {Median(m => m.Ours.PullMs):F2} | {Median(m => m.Ours.ComputeMs):F2} | {Median(m => m.Ours.PushMs):F2} |"));
            }
        }

        Console.WriteLine($"python3-torch {torchVersion}, one process, one thread, LeNet-5 batch 64: a block of {steps} steps before each of our runs; medians over {pairs} pairs");
        Console.WriteLine();
        Console.WriteLine("| learners | weights | gradients/s (all) | ms per gradient per learner | PyTorch ms/step | ratio | pull ms | gradient ms | push ms |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>How the learners get their weights: from the push's response (the default), with a pull of their own, or the response of the push before (overlapped).</summary>
    private static readonly (string Name, string[] LearnerArgs)[] Modes =
    [
        ("in push response", []),
        ("separate pull", ["--separate-pull"]),
        ("overlapped", ["--overlap"]),
    ];

    /// <summary>One cluster run: gradients per second of all learners, one learner's milliseconds per gradient, and the mean phases of a step.</summary>
    private sealed record LearnerRun(double Rate, double MsPerGradient, double PullMs, double ComputeMs, double PushMs);

    /// <summary>
    /// Runs <paramref name="learners"/> free-running learners for <paramref name="steps"/> gradients each; gradients/s
    /// over the pushes after the first quarter, and the mean milliseconds of a step's phases over the same pushes.
    /// </summary>
    private static LearnerRun AggregateRate(int learners, int steps, string[] learnerArgs)
    {
        var dir = Directory.CreateTempSubdirectory("pstraining-learner-bench-").FullName;
        try
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "PsTraining.Sim.dll"), "cluster", "--metrics-port", "0", "--learners", $"{learners}",
                         "--speeds", string.Join(',', Enumerable.Repeat("1", learners)), "--base-step-time", "0", "--steps", $"{steps}", "--duration", "0",
                         "--test-samples", "0", "--train-samples", "12000", "--threads", "1", "--out", dir, .. learnerArgs.Select(a => $"--learner-arg={a}")])
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"the cluster run failed ({process.ExitCode}):\n{output}\n{errors.Result}");
            }

            var pushes = File.ReadLines(Path.Combine(dir, "pushes.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).OrderBy(p => p.GetProperty("time").GetDouble()).ToList();
            var timed = pushes.Skip(pushes.Count / 4).ToList();
            double Mean(string phase) => timed.Average(p => p.GetProperty(phase).GetDouble());
            var rate = (timed.Count - 1) / (timed[^1].GetProperty("time").GetDouble() - timed[0].GetProperty("time").GetDouble());
            return new LearnerRun(rate, 1000 * learners / rate, Mean("pullMs"), Mean("computeMs"), Mean("pushMs"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
