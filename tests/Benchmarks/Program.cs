using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PsTraining.Models.Zoo;
using PsTraining.Torch;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Benchmarks;

/// <summary>
/// One training step (forward, backward, SGD with momentum) of LeNet-5 and SmallInception at batch 64,
/// timed in our C# stack and, in the same run, in python3-torch with the same thread count; prints
/// ms/step and the ratio C#/PyTorch. Usage: dotnet run --project tests/Benchmarks -c Release -- [--threads 1] [--steps 30] [--repeats 5]
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, long[]> Shapes = new()
    {
        ["lenet5"] = [1, 32, 32],
        ["small-inception"] = [1, 28, 28],
    };

    public static int Main(string[] args)
    {
        var options = BenchmarkOptions.Parse(args);
        torch.set_num_threads(options.Threads);
        torch.manual_seed(1);

        var ours = new Dictionary<string, (double Median, double Min)>();
        foreach (var name in Shapes.Keys)
        {
            ours[name] = TimeCSharp(name, options);
            Console.Error.WriteLine($"C#      {name}: {ours[name].Median:F2} ms/step");
        }

        var theirs = TimePyTorch(options);
        Console.WriteLine($"training step, batch {options.Batch}, SGD momentum 0.9, {options.Threads} thread(s); median (min) of {options.Repeats} runs of {options.Steps} steps");
        Console.WriteLine($"libtorch {torch.__version__} through PsTraining.Torch vs python3-torch {theirs.Version}");
        Console.WriteLine();
        Console.WriteLine("| model | C# ms/step | PyTorch ms/step | C#/PyTorch |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var name in Shapes.Keys)
        {
            var (c, p) = (ours[name], theirs.Models[name]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {c.Median:F2} ({c.Min:F2}) | {p.Median:F2} ({p.Min:F2}) | {c.Median / p.Median:F3} |"));
        }

        return 0;
    }

    private static (double Median, double Min) TimeCSharp(string name, BenchmarkOptions o)
    {
        using var model = ModelRegistry.Create(name);
        model.train();
        using var opt = torch.optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        using var x = torch.randn([o.Batch, .. Shapes[name]]);
        using var y = torch.randint(10, [o.Batch]);

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            functional.cross_entropy(model.call(x), y).backward();
            opt.step();
        }

        for (var i = 0; i < o.Warmup; i++)
        {
            Step();
        }

        var perStep = new List<double>();
        for (var r = 0; r < o.Repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < o.Steps; i++)
            {
                Step();
            }

            perStep.Add(clock.Elapsed.TotalMilliseconds / o.Steps);
        }

        perStep.Sort();
        return (perStep[perStep.Count / 2], perStep[0]);
    }

    private static (string Version, Dictionary<string, (double Median, double Min)> Models) TimePyTorch(BenchmarkOptions o)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "reference_step.py"), "--threads", $"{o.Threads}", "--batch", $"{o.Batch}",
                     "--steps", $"{o.Steps}", "--warmup", $"{o.Warmup}", "--repeats", $"{o.Repeats}", "--models", string.Join(',', Shapes.Keys),
                 })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start /usr/bin/python3 (apt-get install python3-torch)");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the PyTorch reference failed with exit code {process.ExitCode}");
        }

        using var json = JsonDocument.Parse(output);
        var models = new Dictionary<string, (double, double)>();
        foreach (var m in json.RootElement.GetProperty("models").EnumerateObject())
        {
            models[m.Name] = (m.Value.GetProperty("median_ms").GetDouble(), m.Value.GetProperty("min_ms").GetDouble());
        }

        return (json.RootElement.GetProperty("torch").GetString() ?? "?", models);
    }
}
