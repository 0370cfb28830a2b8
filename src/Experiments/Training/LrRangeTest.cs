using System.Globalization;
using System.Text.Json.Nodes;
using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// <c>lr-range-test</c>: the LR range test of Smith (2017) as the Fashion-MNIST exercise sets it: SmallInception, batch 64,
/// SGD with momentum 0.9, trained at log-spaced learning rates from 1e-9 to 1e1, each from the same fresh initialisation.
/// The training loss of the last epoch against the rate, and the untrained model's loss over the same batches, give
/// lr_min and lr_max by the rule of <see cref="LrBounds"/>; they go to bounds.json for cyclic-lr and batch-growth.
/// </summary>
public sealed class LrRangeTest(LrRangeTest.Settings? settings = null) : IExperiment
{
    public const string BoundsFile = "bounds.json";

    public string Name => "lr-range-test";

    public string Description => "LR range test: SmallInception on Fashion-MNIST at 10 log-spaced learning rates (1e-9..1e1); training loss against rate, lr_min and lr_max";

    /// <summary>The sizes of a run: CPU-sized by default (one epoch of 640 images per rate), the original 5 epochs of 60,000 with --full.</summary>
    public sealed record Settings(string Model, int TrainSamples, int Epochs, int BatchSize, int Rates, double LowestRate, double HighestRate, double Momentum)
    {
        /// <summary>Seconds: LeNet-5 instead of SmallInception, 2,048 images, one epoch per rate.</summary>
        public static Settings Tiny { get; } = new("lenet5", 2048, 1, 32, 10, 1e-9, 1e1, 0.9);

        public static Settings Default { get; } = new("small-inception", 640, 1, 64, 10, 1e-9, 1e1, 0.9);

        public static Settings Full { get; } = new("small-inception", 60_000, 5, 64, 10, 1e-9, 1e1, 0.9);

        /// <summary>The candidate rates: <see cref="Rates"/> points evenly spaced in log10 from the lowest to the highest, both included.</summary>
        public IReadOnlyList<double> Candidates() =>
            [.. Enumerable.Range(0, Rates).Select(i => Math.Pow(10, Math.Log10(LowestRate) + (i * (Math.Log10(HighestRate) - Math.Log10(LowestRate)) / (Rates - 1))))];
    }

    /// <summary>What one rate gave: the mean batch loss and running accuracy of each epoch.</summary>
    public sealed record Candidate(double Rate, IReadOnlyList<PassResult> Epochs)
    {
        public double FinalLoss => Epochs[^1].MeanLoss;
    }

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    private static void Run(ExperimentContext context, Settings settings)
    {
        var (train, _, _) = new FashionMnistSplit(settings.TrainSamples, 0, 0).Load(settings.Model);
        var device = ClassifierTraining.DefaultDevice;
        var untrained = UntrainedLoss(settings, train, context.Seed, device);
        context.Progress(string.Create(CultureInfo.InvariantCulture, $"  untrained {settings.Model}: mean loss {untrained:F4} over the first epoch's batches"));

        var candidates = new List<Candidate>();
        foreach (var rate in settings.Candidates())
        {
            Reproducible.Reseed(context.Seed);
            using var model = ModelRegistry.Create(settings.Model);
            model.to(device);
            using var optimizer = optim.SGD(model.parameters(), rate, settings.Momentum);
            var epochs = new List<PassResult>();
            for (var epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                epochs.Add(ClassifierTraining.Epoch(model, optimizer, train, settings.BatchSize, context.Seed, epoch, device));
                context.Progress(string.Create(CultureInfo.InvariantCulture, $"  lr {rate:0.##e+0}: epoch {epoch}/{settings.Epochs} loss {epochs[^1].MeanLoss:G4}"));
            }

            candidates.Add(new Candidate(rate, epochs));
        }

        var bounds = LrBounds.Choose([.. candidates.Select(c => (c.Rate, c.FinalLoss))], untrained);
        Write(context, settings, candidates, untrained, bounds);
    }

    /// <summary>The loss at rate 0: the fresh model (same seed) over the first epoch's batches in training mode, without updates.</summary>
    private static double UntrainedLoss(Settings settings, ImageDataset train, long seed, Device device)
    {
        Reproducible.Reseed(seed);
        using var model = ModelRegistry.Create(settings.Model);
        model.to(device);
        model.train();
        using var noGrad = no_grad();
        var losses = new List<double>();
        foreach (var (images, labels) in train.Batches(settings.BatchSize, DeterministicShuffle.Permutation(train.Count, seed, 1)))
        {
            using var scope = NewDisposeScope();
            scope.Attach(images, labels);
            losses.Add(nn.functional.cross_entropy(model.call(images.to(device)), labels.to(device)).item<float>());
        }

        return losses.Average();
    }

    private static void Write(ExperimentContext context, Settings settings, List<Candidate> candidates, double untrained, LrBounds bounds)
    {
        context.WriteCsv("range-test", ["lr", "epoch", "train_loss", "train_accuracy"],
            candidates.SelectMany(c => c.Epochs.Select((e, i) => (IReadOnlyList<object?>)[c.Rate, i + 1, e.MeanLoss, e.Accuracy])));
        context.WriteCsv("losses", ["lr", "train_loss", "finite"], candidates.Select(c => (IReadOnlyList<object?>)[c.Rate, c.FinalLoss, double.IsFinite(c.FinalLoss)]));

        var rates = new VegaLite.Channel("lr", "learning rate") { Log = true };
        // A log scale: a diverging rate's loss is tens of times the others', which would flatten the dip where the bounds lie.
        var loss = new VegaLite.Channel("loss", "training loss (log scale)") { Log = true };
        var series = new VegaLite.Channel("series", "series", "nominal") { Sort = ["after training", "untrained model", "lr_min", "lr_max"] };
        var finite = candidates.Where(c => double.IsFinite(c.FinalLoss)).ToList();
        context.AddFigure("loss-vs-lr", VegaLite.Layered(
            string.Create(CultureInfo.InvariantCulture, $"{settings.Model}: training loss after {settings.Epochs} epoch(s) against the learning rate"),
            VegaLite.Layer("line", finite.Select(c => new { lr = c.Rate, loss = c.FinalLoss, series = "after training" }), rates, loss, series),
            VegaLite.Layer("point", finite.Select(c => new { lr = c.Rate, loss = c.FinalLoss, series = "after training" }), rates, loss, series),
            VegaLite.Layer("line", new[] { candidates[0].Rate, candidates[^1].Rate }.Select(r => new { lr = r, loss = untrained, series = "untrained model" }), rates, loss, series),
            VegaLite.Emphasised(VegaLite.Layer("point", new[] { ("lr_min", bounds.LrMin), ("lr_max", bounds.LrMax) }.Select(b => new { lr = b.Item2, loss = Interpolate(finite, b.Item2), series = b.Item1 }),
                rates, loss, series))));

        EarlierResult.Write(context, BoundsFile, settings, new JsonObject
        {
            ["lr_min"] = bounds.LrMin,
            ["lr_max"] = bounds.LrMax,
            ["rule"] = LrBounds.Rule,
            ["untrained_loss"] = untrained,
            ["candidates"] = new JsonArray([.. candidates.Select(c => (JsonNode)new JsonObject
            {
                ["lr"] = c.Rate,
                ["train_loss"] = double.IsFinite(c.FinalLoss) ? c.FinalLoss : null,
            })]),
        });

        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"{settings.Model} on {settings.TrainSamples} Fashion-MNIST training images, batch {settings.BatchSize}, SGD momentum {settings.Momentum}, {settings.Epochs} epoch(s) per rate, each rate from the same initialisation (seed {context.Seed}). Untrained model's mean loss over the same batches: {untrained:F4}."));
        context.WriteSummary();
        context.WriteSummary("| learning rate | training loss (last epoch) | training accuracy |");
        context.WriteSummary("| ---: | ---: | ---: |");
        foreach (var c in candidates)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {c.Rate:0.##e+0} | {(double.IsFinite(c.FinalLoss) ? c.FinalLoss.ToString("F4", CultureInfo.InvariantCulture) : "diverged")} | {c.Epochs[^1].Accuracy:P1} |"));
        }

        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"Chosen bounds: **lr_min = {bounds.LrMin:0.###e+0}, lr_max = {bounds.LrMax:0.###e+0}** (written to {BoundsFile})."));
        context.WriteSummary();
        context.WriteSummary($"Rule: {LrBounds.Rule}.");
    }

    /// <summary>The loss curve at <paramref name="rate"/>, linear in log10(rate) between the candidates around it, to mark a bound on the curve.</summary>
    private static double Interpolate(List<Candidate> curve, double rate)
    {
        var upper = curve.FindIndex(c => c.Rate >= rate);
        if (upper <= 0)
        {
            return (upper == 0 ? curve[0] : curve[^1]).FinalLoss;
        }

        var (a, b) = (curve[upper - 1], curve[upper]);
        var t = (Math.Log10(rate) - Math.Log10(a.Rate)) / (Math.Log10(b.Rate) - Math.Log10(a.Rate));
        return a.FinalLoss + (t * (b.FinalLoss - a.FinalLoss));
    }
}
