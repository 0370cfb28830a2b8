using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace PsTraining.Benchmarks;

/// <summary>The options of <c>step</c> (the default benchmark) and <c>classifier</c> (which takes only --threads and --repeats).</summary>
public sealed record BenchmarkOptions
{
    [Description("libtorch threads"), Range(1, 1024)]
    public int Threads { get; init; } = 1;

    [Description("samples per step"), Range(1, 65_536)]
    public int Batch { get; init; } = 64;

    [Description("steps per timed block"), Range(1, int.MaxValue)]
    public int Steps { get; init; } = 30;

    [Description("untimed steps before the first block"), Range(1, int.MaxValue)]
    public int Warmup { get; init; } = 5;

    [Description("alternating blocks (or runs) of each side"), Range(1, 1000)]
    public int Repeats { get; init; } = 5;
}

/// <summary>The options of <c>transport</c>.</summary>
public sealed class TransportOptions
{
    [Description("seconds per cell"), Range(0, 3600, MinimumIsExclusive = true)]
    public double Seconds { get; init; } = 3;

    [Description("model sizes in floats"), PositiveIntegerList]
    public string Sizes { get; init; } = "61706,10000000";

    [Description("numbers of concurrent learners"), PositiveIntegerList]
    public string Learners { get; init; } = "1,4,16";

    [Description("seconds of untimed round trips and streamed pushes against our server before the first cell (the JIT's)"), Range(0, 600)]
    public double Warmup { get; init; } = 10;
}

/// <summary>The options of <c>servers</c>.</summary>
public sealed class ServersOptions : IValidatableObject
{
    [Description("the server builds to compare, comma-separated, e.g. old/PsTraining.ParameterServer.dll,new/PsTraining.ParameterServer.dll"), Required]
    public string? Dlls { get; init; }

    [Description("a name for each build, comma-separated (default: build 0, build 1, ...)")]
    public string? Names { get; init; }

    [Description("numbers of concurrent learners"), PositiveIntegerList]
    public string Learners { get; init; } = "1,4";

    [Description("seconds per cell"), Range(0, 3600, MinimumIsExclusive = true)]
    public double Seconds { get; init; } = 3;

    [Description("seconds of untimed round trips after each server starts (its JIT and Orleans start)"), Range(0, 3600)]
    public double Warmup { get; init; } = 10;

    [Description("alternating rounds"), Range(1, 1000)]
    public int Rounds { get; init; } = 3;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        if (Dlls?.Split(',').FirstOrDefault(d => !File.Exists(d)) is { } missing)
        {
            errors.Add($"--dlls: {missing} does not exist");
        }

        if (Dlls is not null && Names is not null && Names.Split(',').Length != Dlls.Split(',').Length)
        {
            errors.Add("--names: give one name per build of --dlls");
        }

        return errors.Select(e => new ValidationResult(e));
    }
}

/// <summary>The options of <c>metrics</c>.</summary>
public sealed class MetricsBenchmarkOptions
{
    [Description("seconds per side and repeat"), Range(0, 3600, MinimumIsExclusive = true)]
    public double Seconds { get; init; } = 3;

    [Description("alternating repeats"), Range(1, 1000)]
    public int Repeats { get; init; } = 5;

    [Description("concurrent learners"), Range(1, 256)]
    public int Learners { get; init; } = 4;

    [Description("run one side only, as its own process (two processes at once see the same machine)"), AllowedValues("on", "off")]
    public string? Side { get; init; }

    [Description("seconds of untimed round trips before the first timed run (the JIT's)"), Range(0, 600)]
    public double Warmup { get; init; } = 10;
}

/// <summary>The options of <c>simulate</c>.</summary>
public sealed class SimulateOptions
{
    [Description("simulated learners"), Range(1, 10_000_000)]
    public int Learners { get; init; } = 10_000;

    [Description("gradients our simulator applies"), Range(1, long.MaxValue)]
    public long Gradients { get; init; } = 10_000_000;

    [Description("gradients SimPy applies (it is slower)"), Range(1, long.MaxValue)]
    public long SimpyGradients { get; init; } = 1_000_000;

    [Description("alternating repeats"), Range(1, 1000)]
    public int Repeats { get; init; } = 3;

    [Description("distinct step times, 1 + (i mod D)/D"), Range(1, 10_000_000)]
    public int Distinct { get; init; } = 1000;
}

/// <summary>The options of <c>learners</c>.</summary>
public sealed class LearnersBenchmarkOptions
{
    [Description("steps per learner and run"), Range(1, int.MaxValue)]
    public int Steps { get; init; } = 400;

    [Description("pairs of a PyTorch block and a run of ours"), Range(1, 1000)]
    public int Pairs { get; init; } = 3;

    [Description("numbers of learner processes"), PositiveIntegerList]
    public string Learners { get; init; } = "1,2,4";
}

/// <summary>The benchmarks' comma-separated lists of counts and sizes.</summary>
public static class CommaList
{
    public static int[] Integers(string text) => TryIntegers(text) ?? throw new ArgumentException($"'{text}' is not a list of positive integers");

    /// <summary>The positive integers of <paramref name="text"/>, or null when any item is not one.</summary>
    public static int[]? TryIntegers(string text)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries)
            .Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : (int?)null).ToArray();
        return items.All(n => n is not null) ? [.. items.Select(n => n!.Value)] : null;
    }
}

/// <summary>An option that lists positive integers, comma-separated: the options binder refuses any other text.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PositiveIntegerListAttribute() : ValidationAttribute("positive integers, comma-separated")
{
    public override bool IsValid(object? value) => value is not string text || CommaList.TryIntegers(text) is not null;
}
