using System.Diagnostics;
using System.Globalization;
using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using PsTraining.Experiments;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// <c>classifier</c>: the classic PyTorch tutorial loop (LeNet-5 on Fashion-MNIST padded to 32×32, SGD lr 0.001
/// momentum 0.9, cross-entropy, the running loss every N minibatches) over batch sizes 4 and 16 and 5 and 20 epochs.
/// A 5-epoch cell is the first five epochs of its 20-epoch run: both start from the same seeded weights and visit the
/// images in the same per-epoch order, so one run per batch size gives its whole row of the grid.
/// </summary>
public sealed class Classifier(Classifier.Settings? settings = null) : IExperiment
{
    public const double LearningRate = 0.001;

    public const double Momentum = 0.9;

    public string Name => "classifier";

    public string Description => "LeNet-5 on Fashion-MNIST, SGD lr 0.001 momentum 0.9: test accuracy and running loss for batch sizes 4 and 16 by 5 and 20 epochs";

    /// <summary>The first <paramref name="TrainImages"/> and <paramref name="TestImages"/> of each split, the grid, and the running loss's window in minibatches.</summary>
    public sealed record Settings(int TrainImages, int TestImages, IReadOnlyList<int> BatchSizes, IReadOnlyList<int> Epochs, int LossEvery)
    {
        /// <summary>Seconds: 600 training and 200 test images, 1 and 2 epochs.</summary>
        public static Settings Tiny { get; } = new(600, 200, [4, 16], [1, 2], 50);

        /// <summary>A tenth of the training set and a fifth of the test set, the original epochs; the running loss every 250 minibatches.</summary>
        public static Settings Default { get; } = new(6000, 2000, [4, 16], [5, 20], 250);

        /// <summary>The original: all 60,000 training and 10,000 test images, the running loss every 2,000 minibatches as in the tutorial.</summary>
        public static Settings Full { get; } = new(60000, 10000, [4, 16], [5, 20], 2000);
    }

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    /// <summary>The first images of each split, padded from 28×28 to LeNet-5's 32×32 with a 2-pixel zero border.</summary>
    public static (ImageDataset Train, ImageDataset Test) LoadData(Settings settings) =>
        (FashionMnist.Load("train").Take(settings.TrainImages).Padded(2), FashionMnist.Load("test").Take(settings.TestImages).Padded(2));

    /// <summary>
    /// Trains LeNet-5 at one batch size for <paramref name="epochs"/> epochs, testing after each; epoch e visits the images in
    /// <see cref="DeterministicShuffle.Permutation"/>(n, seed, e) order. Saves the initial weights to <paramref name="initialWeights"/> when given (a state dict in PyTorch's torch.save format).
    /// </summary>
    public static ClassifierRun Train(ImageDataset train, ImageDataset test, int batchSize, int epochs, int lossEvery, long seed, Device device,
        Action<string>? progress = null, string? initialWeights = null)
    {
        var options = new TrainOptions { Model = "lenet5", Epochs = epochs, BatchSize = batchSize, LearningRate = LearningRate, Momentum = Momentum, Seed = seed };
        using var trainer = new Trainer(options, train, test, device);
        if (initialWeights is not null)
        {
            // StateDictFile writes the same bytes for the same weights (save_py would stamp the time of writing).
            StateDictFile.Save(initialWeights, trainer.Model.state_dict());
        }

        var results = new List<EpochResult>();
        var losses = new List<RunningLoss>();
        var clock = Stopwatch.StartNew();
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            // The tutorial's running_loss: summed over a window of minibatches, reset at each print and at each epoch.
            double window = 0;
            var current = epoch;
            var result = trainer.RunEpoch(epoch, (step, loss, _) =>
            {
                window += loss;
                if (step % lossEvery == 0)
                {
                    losses.Add(new RunningLoss(current, step, window / lossEvery));
                    window = 0;
                }
            });
            results.Add(result);
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"  batch {batchSize}, epoch {epoch}/{epochs}: train loss {result.TrainLoss:F4}, test accuracy {result.TestAccuracy:P2} ({result.Duration.TotalSeconds:F1} s)"));
        }

        return new ClassifierRun(batchSize, results, losses, clock.Elapsed);
    }

    private static void Run(ExperimentContext context, Settings settings)
    {
        // CPU by default (deterministic: the same seed gives the same metrics); the full scale takes a GPU when there is one.
        var device = context.Full && cuda.is_available() ? CUDA : CPU;
        var (train, test) = LoadData(settings);
        var epochs = settings.Epochs.Max();
        context.Progress($"  {train.Count} training and {test.Count} test images, batch sizes {string.Join(", ", settings.BatchSizes)}, {epochs} epochs, {device}");
        var runs = settings.BatchSizes.Select((b, i) => Train(train, test, b, epochs, settings.LossEvery, context.Seed, device, context.Progress,
            i == 0 ? Path.Combine(context.Directory, "initial-weights.pstsd") : null)).ToList();

        context.WriteCsv("test-accuracy", ["batch_size", "epochs", "test_accuracy", "test_loss", "train_loss"],
            Grid(runs, settings).Select(c => (IReadOnlyList<object?>)[c.Run.BatchSize, c.Epochs, c.Result.TestAccuracy, c.Result.TestLoss, c.Result.TrainLoss]));
        context.WriteCsv("epochs", ["batch_size", "epoch", "train_loss", "test_loss", "test_accuracy"],
            runs.SelectMany(r => r.Epochs.Select(e => (IReadOnlyList<object?>)[r.BatchSize, e.Epoch, e.TrainLoss, e.TestLoss, e.TestAccuracy])));
        context.Measured.WriteCsv("timings", ["batch_size", "epoch", "seconds"],
            runs.SelectMany(r => r.Epochs.Select(e => (IReadOnlyList<object?>)[r.BatchSize, e.Epoch, e.Duration.TotalSeconds])));
        context.WriteCsv("running-loss", ["batch_size", "epoch", "minibatch", "epoch_position", "running_loss"],
            runs.SelectMany(r => r.RunningLosses.Select(l => (IReadOnlyList<object?>)[r.BatchSize, l.Epoch, l.Minibatch, Position(l, r, train.Count), l.Loss])));

        var series = settings.BatchSizes.Select(Series).ToList();
        context.AddFigure("running-loss", VegaLite.Line(
            $"Running loss (mean of {settings.LossEvery} minibatches), LeNet-5 on {train.Count} Fashion-MNIST images, SGD lr {LearningRate} momentum {Momentum}",
            runs.SelectMany(r => r.RunningLosses.Select(l => new { batch = Series(r.BatchSize), epoch = Position(l, r, train.Count), loss = l.Loss })),
            new("epoch", "epoch"), new("loss", "running loss"), new("batch", "batch size", "nominal") { Sort = series }));
        context.AddFigure("test-accuracy", VegaLite.Line(
            $"Test accuracy after each epoch ({test.Count} test images)",
            runs.SelectMany(r => r.Epochs.Select(e => new { batch = Series(r.BatchSize), epoch = e.Epoch, accuracy = e.TestAccuracy })),
            new("epoch", "epoch"), new("accuracy", "test accuracy"), new("batch", "batch size", "nominal") { Sort = series }, points: true));

        WriteSummary(context, settings, runs, train.Count, test.Count);
    }

    private static string Series(int batchSize) => $"batch {batchSize}";

    /// <summary>Where a running loss falls in epochs: its last minibatch's end, as a fraction of the whole training.</summary>
    private static double Position(RunningLoss loss, ClassifierRun run, int trainImages) =>
        loss.Epoch - 1 + ((double)loss.Minibatch / ((trainImages + run.BatchSize - 1) / run.BatchSize));

    private static IEnumerable<(ClassifierRun Run, int Epochs, EpochResult Result)> Grid(List<ClassifierRun> runs, Settings settings) =>
        runs.SelectMany(r => settings.Epochs.Select(e => (r, e, r.Epochs[e - 1])));

    private static void WriteSummary(ExperimentContext context, Settings settings, List<ClassifierRun> runs, int trainImages, int testImages)
    {
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"LeNet-5, {trainImages} Fashion-MNIST training images (padded to 32×32), SGD lr {LearningRate} momentum {Momentum}, cross-entropy; test accuracy on {testImages} test images. "
            + $"Each batch size trains once for {settings.Epochs.Max()} epochs; the {settings.Epochs.Min()}-epoch cell is its epoch {settings.Epochs.Min()} (same weights, same order)."));
        context.WriteSummary();
        context.WriteSummary($"| batch size | {string.Join(" | ", settings.Epochs.Select(e => e == 1 ? "1 epoch" : $"{e} epochs"))} |");
        context.WriteSummary($"| ---: |{string.Concat(settings.Epochs.Select(_ => " ---: |"))}");
        context.Measured.WriteSummary("| batch size | training time |");
        context.Measured.WriteSummary("| ---: | ---: |");
        foreach (var run in runs)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {run.BatchSize} | {string.Join(" | ", settings.Epochs.Select(e => run.Epochs[e - 1].TestAccuracy.ToString("P2", CultureInfo.InvariantCulture)))} |"));
            context.Measured.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {run.BatchSize} | {run.Duration.TotalSeconds:F0} s |"));
        }
    }
}
