using System.Globalization;
using System.Text.Json.Nodes;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// <c>cyclic-lr</c>: SmallInception on Fashion-MNIST, batch 64, SGD with momentum 0.9 under CyclicLR (PyTorch's: <see cref="PyTorchCyclicLR"/>) in exp_range mode between
/// the range test's lr_min and lr_max. The bounds come from lr-range-test's bounds.json of the same run (same seed, scale
/// and range-test settings); when there is none, the range test runs first. Train and validation loss and accuracy per epoch,
/// and the final model's test loss and accuracy (final.json, which batch-growth compares against).
/// </summary>
public sealed class CyclicLearningRate(CyclicLearningRate.Settings? settings = null) : IExperiment
{
    public const string FinalFile = "final.json";

    public string Name => "cyclic-lr";

    public string Description => "SmallInception on Fashion-MNIST with CyclicLR (exp_range) between the range test's bounds: train/validation loss and accuracy per epoch";

    /// <summary>
    /// The sizes of a run. A half cycle (step_size_up) lasts <see cref="HalfCycleEpochs"/> epochs; exp_range's γ is chosen so
    /// that the cycle's amplitude has shrunk to <see cref="FinalAmplitude"/> of its first height by the last step.
    /// </summary>
    public sealed record Settings(LrRangeTest.Settings RangeTest, FashionMnistSplit Data, int Epochs, int BatchSize, int HalfCycleEpochs, double FinalAmplitude, double Momentum)
    {
        /// <summary>Seconds: the tiny range test's LeNet-5, two epochs of 2,048 images.</summary>
        public static Settings Tiny { get; } = new(LrRangeTest.Settings.Tiny, new(2048, 256, 256), 2, 32, 1, 0.1, 0.9);

        public static Settings Default { get; } = new(LrRangeTest.Settings.Default, new(1280, 500, 1000), 4, 64, 1, 0.1, 0.9);

        public static Settings Full { get; } = new(LrRangeTest.Settings.Full, new(50_000, 10_000, 10_000), 10, 64, 2, 0.1, 0.9);

        public string Model => RangeTest.Model;
    }

    /// <summary>One epoch: the training pass's mean batch loss and running accuracy, the held-out validation set's, and the rate at its end.</summary>
    public sealed record EpochRow(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy, double LearningRate);

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    private static void Run(ExperimentContext context, Settings settings)
    {
        var (boundsJson, boundsPath, reused) = EarlierResult.Obtain(context, new LrRangeTest(settings.RangeTest), LrRangeTest.BoundsFile, settings.RangeTest);
        var bounds = new LrBounds(boundsJson["lr_min"]!.GetValue<double>(), boundsJson["lr_max"]!.GetValue<double>());
        var (train, validation, test) = settings.Data.Load(settings.Model);
        var stepsPerEpoch = (train.Count + settings.BatchSize - 1) / settings.BatchSize;
        var stepSizeUp = settings.HalfCycleEpochs * stepsPerEpoch;
        var totalSteps = settings.Epochs * stepsPerEpoch;
        var gamma = Math.Pow(settings.FinalAmplitude, 1.0 / totalSteps);
        context.Progress(string.Create(CultureInfo.InvariantCulture, $"  lr between {bounds.LrMin:0.###e+0} and {bounds.LrMax:0.###e+0}, step_size_up {stepSizeUp}, gamma {gamma:R}"));

        var device = ClassifierTraining.DefaultDevice;
        Reproducible.Reseed(context.Seed);
        using var model = ModelRegistry.Create(settings.Model);
        model.to(device);
        using var optimizer = optim.SGD(model.parameters(), bounds.LrMin, settings.Momentum);
        var scheduler = PyTorchCyclicLR.Create(optimizer, bounds.LrMin, bounds.LrMax, stepSizeUp, mode: optim.lr_scheduler.impl.CyclicLR.Mode.ExpRange, gamma: gamma,
            maxMomentum: settings.Momentum);
        var group = (SGD.ParamGroup)optimizer.ParamGroups.Single();

        var schedule = new List<(int Iteration, double Lr, double Momentum, double Loss)>();
        var epochs = new List<EpochRow>();
        for (var epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            var pass = ClassifierTraining.Epoch(model, optimizer, train, settings.BatchSize, context.Seed, epoch, device, (_, step) =>
            {
                // The rate and momentum this step used, then the schedule moves on (PyTorch: optimizer.step(), scheduler.step()).
                schedule.Add((schedule.Count + 1, group.LearningRate, group.Momentum, step.Loss));
                scheduler.step();
            });
            var (validationLoss, validationAccuracy) = ClassifierEvaluation.Evaluate(model, validation, device);
            epochs.Add(new EpochRow(epoch, pass.MeanLoss, pass.Accuracy, validationLoss, validationAccuracy, schedule[^1].Lr));
            context.Progress(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {epoch}/{settings.Epochs}: train loss {pass.MeanLoss:F4} accuracy {pass.Accuracy:P1}, validation loss {validationLoss:F4} accuracy {validationAccuracy:P1}"));
        }

        var (testLoss, testAccuracy) = ClassifierEvaluation.Evaluate(model, test, device);
        context.WriteCsv("epochs", ["epoch", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "lr_last_step"],
            epochs.Select(e => (IReadOnlyList<object?>)[e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValidationLoss, e.ValidationAccuracy, e.LearningRate]));
        context.WriteCsv("schedule", ["iteration", "lr", "momentum", "train_loss"], schedule.Select(s => (IReadOnlyList<object?>)[s.Iteration, s.Lr, s.Momentum, s.Loss]));
        EarlierResult.Write(context, FinalFile, settings, new JsonObject
        {
            ["test_loss"] = testLoss,
            ["test_accuracy"] = testAccuracy,
            ["test_samples"] = test.Count,
            ["lr_min"] = bounds.LrMin,
            ["lr_max"] = bounds.LrMax,
            ["iterations"] = schedule.Count,
            ["samples_seen"] = (long)settings.Epochs * train.Count,
        });

        AddFigures(context, settings, epochs, schedule.Select(s => (s.Iteration, s.Lr)));
        WriteSummary(context, settings, bounds, boundsPath, reused, stepSizeUp, gamma, epochs, testLoss, testAccuracy, test.Count);
    }

    private static void AddFigures(ExperimentContext context, Settings settings, List<EpochRow> epochs, IEnumerable<(int Iteration, double Lr)> schedule)
    {
        var epoch = new VegaLite.Channel("epoch", "epoch", "ordinal");
        var set = new VegaLite.Channel("set", "set", "nominal") { Sort = ["train", "validation"] };
        context.AddFigure("loss", VegaLite.Line($"{settings.Model} with CyclicLR (exp_range): loss per epoch",
            epochs.SelectMany(e => new[] { new { epoch = e.Epoch, set = "train", loss = e.TrainLoss }, new { epoch = e.Epoch, set = "validation", loss = e.ValidationLoss } }),
            epoch, new("loss", "cross-entropy loss"), set, points: true));
        context.AddFigure("accuracy", VegaLite.Line($"{settings.Model} with CyclicLR (exp_range): accuracy per epoch",
            epochs.SelectMany(e => new[] { new { epoch = e.Epoch, set = "train", accuracy = e.TrainAccuracy }, new { epoch = e.Epoch, set = "validation", accuracy = e.ValidationAccuracy } }),
            epoch, new("accuracy", "accuracy") { Domain = [0, 1] }, set, points: true));
        context.AddFigure("schedule", VegaLite.Line("CyclicLR (exp_range): the learning rate of each iteration",
            schedule.Select(s => new { iteration = s.Iteration, lr = s.Lr }), new("iteration", "iteration"), new("lr", "learning rate")));
    }

    private static void WriteSummary(ExperimentContext context, Settings settings, LrBounds bounds, string boundsPath, bool reused, int stepSizeUp, double gamma,
        List<EpochRow> epochs, double testLoss, double testAccuracy, int testCount)
    {
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"{settings.Model}, {settings.Data.Train} training images, batch {settings.BatchSize}, {settings.Epochs} epochs, SGD momentum {settings.Momentum}; validation: the last {settings.Data.Validation} images of the training file (held out); test: {testCount} images of the test file."));
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Bounds lr_min = {bounds.LrMin:0.###e+0}, lr_max = {bounds.LrMax:0.###e+0}, from {boundsPath} ({(reused ? "an earlier lr-range-test run with this seed, scale, thread count and settings" : "a range test run now, as none with this seed, scale, thread count and settings was there")})."));
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"CyclicLR mode exp_range: step_size_up = step_size_down = {stepSizeUp} iterations ({settings.HalfCycleEpochs} epoch(s)), gamma = {gamma:G6} (the amplitude shrinks to {settings.FinalAmplitude:G3} of its first height by the last step); momentum cycles between {settings.Momentum} at lr_min and 0.8 at lr_max (CyclicLR's cycle_momentum, as PyTorch's default)."));
        context.WriteSummary();
        context.WriteSummary("| epoch | train loss | train accuracy | validation loss | validation accuracy |");
        context.WriteSummary("| ---: | ---: | ---: | ---: | ---: |");
        foreach (var e in epochs)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {e.Epoch} | {e.TrainLoss:F4} | {e.TrainAccuracy:P2} | {e.ValidationLoss:F4} | {e.ValidationAccuracy:P2} |"));
        }

        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"Final model on the test set: **loss {testLoss:F4}, accuracy {testAccuracy:P2}** (written to {FinalFile})."));
    }
}
