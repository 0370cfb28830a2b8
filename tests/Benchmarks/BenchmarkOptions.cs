using System.Globalization;

namespace PsTraining.Benchmarks;

/// <summary>--threads, --batch, --steps, --warmup and --repeats, each a positive integer.</summary>
public sealed record BenchmarkOptions(int Threads = 1, int Batch = 64, int Steps = 30, int Warmup = 5, int Repeats = 5)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var o = new BenchmarkOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                throw new ArgumentException($"{args[i]} needs a positive integer");
            }

            o = args[i] switch
            {
                "--threads" => o with { Threads = v },
                "--batch" => o with { Batch = v },
                "--steps" => o with { Steps = v },
                "--warmup" => o with { Warmup = v },
                "--repeats" => o with { Repeats = v },
                _ => throw new ArgumentException($"unknown option {args[i]}: expected --threads, --batch, --steps, --warmup or --repeats"),
            };
        }

        return o;
    }
}
