using System.Globalization;
using System.Text.Json;
using PsTraining.Models.Torch;
using TorchSharp;

namespace PsTraining.Benchmarks;

/// <summary>
/// One training step (forward, backward, SGD with momentum) of LeNet-5 and SmallInception at batch 64,
/// timed in our C# stack and, in the same run, in python3-torch with the same thread count; prints
/// ms/step and the ratio C#/PyTorch. Usage: dotnet run --project tests/Benchmarks -c Release -- [--threads 1] [--steps 30] [--repeats 5]
/// </summary>
public static class StepBenchmark
{
    private static readonly Dictionary<string, long[]> Shapes = new()
    {
        ["lenet5"] = [1, 32, 32],
        ["small-inception"] = [1, 28, 28],
    };

    public static int Run(BenchmarkOptions options)
    {
        using var reproducible = Reproducible.Enter(1, options.Threads);

        // C# and PyTorch blocks alternate, so that drift in the machine's speed hits both sides alike.
        var rows = new List<string>();
        var pytorchVersion = "?";
        foreach (var name in Shapes.Keys)
        {
            using var ours = new CSharpStep(name, Shapes[name], options.Batch);
            ours.Run(options.Warmup);
            var (cs, py) = (new List<double>(), new List<double>());
            for (var r = 0; r < options.Repeats; r++)
            {
                cs.Add(ours.TimeBlock(options.Steps));
                (pytorchVersion, var ms) = TimePyTorchBlock(name, options);
                py.Add(ms);
                Console.Error.WriteLine($"{name} block {r + 1}/{options.Repeats}: C# {cs[^1]:F2} ms/step, PyTorch {ms:F2} ms/step");
            }

            var (c, p) = (Stats(cs), Stats(py));
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {c.Median:F2} ({c.Min:F2}) | {p.Median:F2} ({p.Min:F2}) | {c.Median / p.Median:F3} | {c.Min / p.Min:F3} |"));
        }

        Console.WriteLine($"training step, batch {options.Batch}, SGD momentum 0.9, {options.Threads} thread(s); median (min) over {options.Repeats} alternating blocks of {options.Steps} steps");
        Console.WriteLine($"libtorch {torch.__version__} through TorchSharp vs python3-torch {pytorchVersion}");
        Console.WriteLine();
        Console.WriteLine("| model | C# ms/step | PyTorch ms/step | C#/PyTorch (medians) | C#/PyTorch (minima) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    internal static (double Median, double Min) Stats(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[sorted.Count / 2], sorted[0]);
    }

    /// <summary>One block of the PyTorch reference in a fresh python3-torch process (its own warm-up, then the timed steps).</summary>
    internal static (string Version, double MsPerStep) TimePyTorchBlock(string model, BenchmarkOptions o)
    {
        var output = PyTorchProcess.Run("reference_step.py",
        [
            "--threads", $"{o.Threads}", "--batch", $"{o.Batch}", "--steps", $"{o.Steps}", "--warmup", $"{o.Warmup}", "--repeats", "1", "--models", model,
        ]);
        using var json = JsonDocument.Parse(output);
        var ms = json.RootElement.GetProperty("models").GetProperty(model).GetProperty("median_ms").GetDouble();
        return (json.RootElement.GetProperty("torch").GetString() ?? "?", ms);
    }
}
