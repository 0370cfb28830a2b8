using PsTraining.Experiments.Training;
using System.CommandLine;
using System.Diagnostics;
using PsTraining.Hosting;
using System.Runtime.InteropServices;
using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using Spectre.Console;
using static TorchSharp.torch;

namespace PsTraining.Sim.Commands;

/// <summary><c>train</c>: single-node training on Fashion-MNIST with a progress bar and per-epoch loss and accuracy.</summary>
internal static class TrainCommand
{
    public static Command Create() => CommandLineOptions.Command<TrainOptions>("train", "Train a classifier on the real Fashion-MNIST on this machine.", Run);

    private static int Run(TrainOptions options)
    {
        Device device;
        ImageDataset train, test;
        try
        {
            device = options.Device is null ? (cuda.is_available() ? CUDA : CPU) : Devices.Parse(options.Device);
            Devices.EnsureAvailable(device);
            (train, test) = (FashionMnist.Load("train"), FashionMnist.Load("test"));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ExternalException or FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        // LeNet-5 takes 32×32: Fashion-MNIST's 28×28 images get a 2-pixel zero border, as in the original LeNet set-up.
        if (options.Model == "lenet5")
        {
            (train, test) = (train.Padded(2), test.Padded(2));
        }

        using var reproducible = Reproducible.Enter(options.Seed, options.Threads > 0 ? options.Threads : Environment.ProcessorCount);
        using var trainer = new Trainer(options, train, test, device);
        Console.WriteLine($"training {options.Model} on Fashion-MNIST: {trainer.TrainSamples} samples, batch {options.BatchSize}, " +
                          $"SGD lr {options.LearningRate} momentum {options.Momentum}, {device}, {get_num_threads()} thread(s), libtorch {__version__}");

        var interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var result = interactive ? WithProgressBar(trainer, epoch, options.Epochs) : WithPlainLines(trainer, epoch, options.Epochs);
            Console.WriteLine(
                $"epoch {epoch}/{options.Epochs}: train loss {result.TrainLoss:F4}  test loss {result.TestLoss:F4}  test accuracy {result.TestAccuracy:P2}  " +
                $"({result.Duration.TotalSeconds:F1} s, {result.Samples / result.Duration.TotalSeconds:F0} samples/s)");
        }

        return 0;
    }

    private static EpochResult WithProgressBar(Trainer trainer, int epoch, int epochs)
    {
        EpochResult? result = null;
        // The bar is drawn on this thread between steps, not by Spectre's own refresh thread: its allocations during an
        // optimiser's step could free a scalar libtorch is reading (see Scalars).
        AnsiConsole.Progress()
            .AutoRefresh(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"epoch {epoch}/{epochs}", maxValue: trainer.StepsPerEpoch);
                var drawn = Stopwatch.StartNew();
                result = trainer.RunEpoch(epoch, (step, _, loss) =>
                {
                    task.Value = step;
                    task.Description = $"epoch {epoch}/{epochs} loss {loss:F4}";
                    if (drawn.ElapsedMilliseconds >= 100 || step == trainer.StepsPerEpoch)
                    {
                        ctx.Refresh();
                        drawn.Restart();
                    }
                });
            });
        return result!;
    }

    /// <summary>For logs and CI: a line every tenth of an epoch instead of a live bar.</summary>
    private static EpochResult WithPlainLines(Trainer trainer, int epoch, int epochs)
    {
        var every = Math.Max(1, trainer.StepsPerEpoch / 10);
        return trainer.RunEpoch(epoch, (step, _, loss) =>
        {
            if (step % every == 0 || step == trainer.StepsPerEpoch)
            {
                Console.WriteLine($"epoch {epoch}/{epochs} step {step}/{trainer.StepsPerEpoch} loss {loss:F4}");
            }
        });
    }
}
