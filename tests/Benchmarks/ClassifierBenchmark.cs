using System.Globalization;
using System.Text.Json;
using PsTraining.Models.Torch;
using PsTraining.Experiments.Training;
using TorchSharp;

namespace PsTraining.Benchmarks;

/// <summary>
/// The <c>classifier</c> experiment's default configuration (LeNet-5, <see cref="Classifier.Settings.Default"/>: each batch
/// size trained for 20 epochs with a test pass after each) timed through <see cref="Classifier.Train"/> and, in the same
/// run, the same loop in python3-torch (tests/reference/classifier.py) on the same images in the same order; C# and PyTorch
/// alternate per batch size. Data loading and process start-up are not timed. Prints seconds and the ratio C#/PyTorch.
/// Usage: dotnet run --project tests/Benchmarks -c Release -- classifier [--threads 1] [--repeats 5] (only these two options apply).
/// </summary>
public static class ClassifierBenchmark
{
    private const long Seed = 1;

    public static int Run(BenchmarkOptions options)
    {
        torch.set_num_threads(options.Threads);
        var settings = Classifier.Settings.Default;
        var (train, test) = Classifier.LoadData(settings);
        var epochs = settings.Epochs.Max();

        var times = settings.BatchSizes.ToDictionary(b => b, _ => (CSharp: new List<double>(), PyTorch: new List<double>()));
        var accuracy = new Dictionary<int, (double CSharp, double PyTorch)>();
        var pytorchVersion = "?";
        for (var r = 0; r < options.Repeats; r++)
        {
            foreach (var batch in settings.BatchSizes)
            {
                // Inside a seeded scope, as the experiment runs it (Trainer reseeds for every run).
                ClassifierRun ours;
                using (Reproducible.Enter(Seed, options.Threads))
                {
                    ours = Classifier.Train(train, test, batch, epochs, settings.LossEvery, Seed, torch.CPU);
                }

                using var theirs = JsonDocument.Parse(PyTorchProcess.Run("classifier.py",
                [
                    "--train", $"{settings.TrainImages}", "--test", $"{settings.TestImages}", "--batches", $"{batch}", "--epochs", $"{epochs}",
                    "--loss-every", $"{settings.LossEvery}", "--seed", $"{Seed}", "--threads", $"{options.Threads}",
                ]));
                var run = theirs.RootElement.GetProperty("runs").GetProperty($"{batch}");
                pytorchVersion = theirs.RootElement.GetProperty("torch").GetString() ?? "?";
                times[batch].CSharp.Add(ours.Duration.TotalSeconds);
                times[batch].PyTorch.Add(run.GetProperty("seconds").GetDouble());
                accuracy[batch] = (ours.Epochs[^1].TestAccuracy, run.GetProperty("accuracy")[epochs - 1].GetDouble());
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"batch {batch}, round {r + 1}/{options.Repeats}: C# {times[batch].CSharp[^1]:F1} s, PyTorch {times[batch].PyTorch[^1]:F1} s"));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"classifier default: LeNet-5, {settings.TrainImages} training images, {epochs} epochs, a test pass over {settings.TestImages} images after each, SGD lr {Classifier.LearningRate} momentum {Classifier.Momentum}, {options.Threads} thread(s)"));
        Console.WriteLine($"libtorch {torch.__version__} through TorchSharp vs python3-torch {pytorchVersion}; median (min) of {options.Repeats} alternating runs");
        Console.WriteLine();
        Console.WriteLine("| batch size | C# s | PyTorch s | C#/PyTorch (medians) | C#/PyTorch (minima) | test accuracy C# / PyTorch |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (batch, (cs, py)) in times)
        {
            WriteRow($"{batch}", cs, py, accuracy[batch]);
        }

        WriteRow("both", Totals(times.Values.Select(t => t.CSharp)), Totals(times.Values.Select(t => t.PyTorch)), null);
        return 0;
    }

    /// <summary>The whole grid's time in each round: the sum over batch sizes of that round's runs.</summary>
    private static List<double> Totals(IEnumerable<List<double>> perBatch)
    {
        var runs = perBatch.ToList();
        return [.. Enumerable.Range(0, runs[0].Count).Select(round => runs.Sum(r => r[round]))];
    }

    private static void WriteRow(string label, List<double> cs, List<double> py, (double CSharp, double PyTorch)? accuracy)
    {
        var (c, p) = (StepBenchmark.Stats(cs), StepBenchmark.Stats(py));
        var accuracyCell = accuracy is { } a ? string.Create(CultureInfo.InvariantCulture, $"{a.CSharp:P2} / {a.PyTorch:P2}") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {c.Median:F1} ({c.Min:F1}) | {p.Median:F1} ({p.Min:F1}) | {c.Median / p.Median:F3} | {c.Min / p.Min:F3} | {accuracyCell} |"));
    }
}
