using System.Diagnostics;
using System.Globalization;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// <c>colourisation</c>: PoolUpsampleNet, ConvTransposeNet and UNet learn each pixel's colour class from a grayscale
/// image (<see cref="ColourisationSet"/>), with Adam (lr 0.001) on the per-pixel cross-entropy as in the original
/// assignment. Reports validation loss and accuracy, a grid of sample predictions, and each network's neurons, weights
/// and connections at 32×32 and at 64×64 (neurons and connections grow 4×, weights not at all).
/// </summary>
public sealed class Colourisation(Colourisation.Settings? settings = null) : IExperiment
{
    public const double LearningRate = 0.001;

    public string Name => "colourisation";

    public string Description => "PoolUpsampleNet, ConvTransposeNet and UNet colourising grayscale images: validation loss and accuracy, samples, neuron/weight/connection counts";

    public sealed record Settings(int TrainImages, int ValidationImages, int Epochs, int BatchSize, long NumFilters, int Samples)
    {
        /// <summary>Seconds: 400 images for 4 epochs, 16 filters.</summary>
        public static Settings Tiny { get; } = new(400, 80, 4, 20, 16, 2);

        /// <summary>1,000 images for 5 epochs: under a minute per network on two cores.</summary>
        public static Settings Default { get; } = new(1000, 200, 5, 50, 32, 4);

        /// <summary>The assignment's scale: 25 epochs of batch 100 over 5,000 images, 32 filters.</summary>
        public static Settings Full { get; } = new(5000, 1000, 25, 100, 32, 6);
    }

    /// <summary>The three networks, in the order of the assignment.</summary>
    public static IReadOnlyList<(string Name, Func<ColourisationOptions, nn.Module<Tensor, Tensor>> Create)> Networks { get; } =
    [
        ("PoolUpsampleNet", o => new PoolUpsampleNet(o)),
        ("ConvTransposeNet", o => new ConvTransposeNet(o)),
        ("UNet", o => new UNet(o)),
    ];

    /// <summary>The input sides whose counts are compared: the 32×32 of the data and its double.</summary>
    public static IReadOnlyList<int> Sides { get; } = [ColourisationSet.Size, 2 * ColourisationSet.Size];

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    private static void Run(ExperimentContext context, Settings settings)
    {
        var device = context.Full && cuda.is_available() ? CUDA : CPU;
        var options = new ColourisationOptions(Kernel: 3, NumFilters: settings.NumFilters, NumColours: ColourisationSet.NumColours, NumInChannels: 1);
        var (train, validation) = ColourisationSet.Generate(settings.TrainImages, settings.ValidationImages, context.Seed);
        var shown = Enumerable.Range(0, Math.Min(settings.Samples, validation.Count)).ToArray();
        context.Progress($"  {train.Count} training and {validation.Count} validation images, {ColourisationSet.NumColours} colour classes, {device}");

        var curves = new List<(string Model, int Epoch, double Loss, double Accuracy)>();
        var finals = new List<(string Model, double Loss, double Accuracy, double Seconds)>();
        var predictions = new Dictionary<string, long[]>();
        foreach (var (name, create) in Networks)
        {
            Reproducible.Reseed(context.Seed);
            using var model = create(options);
            model.to(device);
            var clock = Stopwatch.StartNew();
            using var optimizer = optim.Adam(model.parameters(), LearningRate);
            for (var epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                ColourisationTraining.TrainEpoch(model, optimizer, train, settings.BatchSize, context.Seed, epoch, device);
                var (loss, accuracy) = ColourisationTraining.Evaluate(model, validation, device);
                curves.Add((name, epoch, loss, accuracy));
                context.Progress(string.Create(CultureInfo.InvariantCulture,
                    $"  {name} epoch {epoch}/{settings.Epochs}: validation loss {loss:F4}, accuracy {accuracy:P2} ({clock.Elapsed.TotalSeconds:F0} s)"));
            }

            finals.Add((name, curves[^1].Loss, curves[^1].Accuracy, clock.Elapsed.TotalSeconds));
            predictions[name] = ColourisationTraining.Predict(model, validation, shown, device);
        }

        var counts = Networks.SelectMany(n => Sides.Select(side =>
        {
            using var model = n.Create(options);
            return new NetworkSize(n.Name, side, NetworkCounts.Of(model, [1, side, side]), NetworkCounts.Layers(model, [1, side, side]));
        })).ToList();

        var chance = validation.MajorityShare();
        WriteData(context, curves, finals, counts);
        WriteFigures(context, settings, curves, counts, SamplePixels(validation, shown, predictions));
        WriteSummary(context, settings, options, finals, counts, chance);
    }

    private static List<Pixel> SamplePixels(ColourisationSet data, int[] shown, Dictionary<string, long[]> predictions)
    {
        const int Side = ColourisationSet.Size;
        var pixels = new List<Pixel>();
        for (var s = 0; s < shown.Length; s++)
        {
            var sample = $"sample {s + 1}";
            var gray = data.Gray(shown[s]);
            var target = data.Classes(shown[s]);
            for (var i = 0; i < Side * Side; i++)
            {
                var (x, y) = (i % Side, i / Side);
                var level = (int)Math.Round(gray[i] * 255);
                pixels.Add(new(sample, "grayscale input", x, y, Hex(level, level, level)));
                pixels.Add(new(sample, "target colours", x, y, Hex(ColourisationSet.Colour(target[i]))));
                foreach (var (model, predicted) in predictions)
                {
                    pixels.Add(new(sample, model, x, y, Hex(ColourisationSet.Colour(predicted[(s * Side * Side) + i]))));
                }
            }
        }

        return pixels;
    }

    /// <summary>One network's counts for one input side, in total and per layer.</summary>
    private sealed record NetworkSize(string Model, int Side, NetworkCounts Counts, IReadOnlyList<LayerCount> Layers);

    private static string Hex((int R, int G, int B) c) => Hex(c.R, c.G, c.B);

    private static string Hex(int r, int g, int b) => $"#{r:x2}{g:x2}{b:x2}";

    /// <summary>One pixel of the sample grid (camel-cased, its fields are what <see cref="VegaLite.ImageGrid"/> reads).</summary>
    private sealed record Pixel(string Sample, string Panel, int X, int Y, string Colour);

    private static void WriteData(ExperimentContext context, List<(string Model, int Epoch, double Loss, double Accuracy)> curves,
        List<(string Model, double Loss, double Accuracy, double Seconds)> finals, List<NetworkSize> counts)
    {
        context.WriteCsv("validation", ["model", "epoch", "validation_loss", "validation_accuracy"], curves.Select(c => (IReadOnlyList<object?>)[c.Model, c.Epoch, c.Loss, c.Accuracy]));
        context.WriteCsv("results", ["model", "validation_loss", "validation_accuracy"], finals.Select(f => (IReadOnlyList<object?>)[f.Model, f.Loss, f.Accuracy]));
        context.Measured.WriteCsv("timings", ["model", "train_seconds"], finals.Select(f => (IReadOnlyList<object?>)[f.Model, f.Seconds]));
        context.WriteCsv("counts", ["model", "input_side", "neurons", "weights", "parameters", "connections"],
            counts.Select(c => (IReadOnlyList<object?>)[c.Model, c.Side, c.Counts.Neurons, c.Counts.Weights, c.Counts.Parameters, c.Counts.Connections]));
        context.WriteCsv("layer-counts", ["model", "input_side", "layer", "type", "output_shape", "neurons", "weights", "connections"],
            counts.SelectMany(c => c.Layers.Select(l => (IReadOnlyList<object?>)[c.Model, c.Side, l.Layer, l.Type, l.OutputShape, l.Neurons, l.Weights, l.Connections])));
    }

    private static void WriteFigures(ExperimentContext context, Settings settings, List<(string Model, int Epoch, double Loss, double Accuracy)> curves,
        List<NetworkSize> counts, List<Pixel> pixels)
    {
        var models = Networks.Select(n => n.Name).ToList();
        var measures = new[] { "validation loss", "validation accuracy" };
        context.AddFigure("validation", VegaLite.Faceted(VegaLite.Line($"Validation loss and accuracy per epoch ({settings.ValidationImages} images)",
            curves.SelectMany(c => new[] { new { model = c.Model, epoch = c.Epoch, measure = measures[0], value = c.Loss }, new { model = c.Model, epoch = c.Epoch, measure = measures[1], value = c.Accuracy } }),
            new("epoch", "epoch"), new("value", "value"), new("model", "model", "nominal") { Sort = models }, points: true),
            new("measure", "measure", "nominal") { Sort = measures }, columns: 2));
        context.AddFigure("samples", VegaLite.ImageGrid("Validation samples: grayscale input, target colour classes and each network's prediction", pixels,
            new("sample", "sample", "nominal"), new("panel", "panel", "nominal") { Sort = ["grayscale input", "target colours", .. models] }, ColourisationSet.Size));
        var sizeMeasures = new[] { "neurons", "weights", "connections" };
        context.AddFigure("counts", VegaLite.Faceted(VegaLite.Chart("Neurons, weights and connections at 32×32 and 64×64 input", "point",
            counts.SelectMany(c => new[] { c.Counts.Neurons, c.Counts.Weights, c.Counts.Connections }
                .Select((count, i) => new { model = c.Model, input = $"{c.Side}×{c.Side}", measure = sizeMeasures[i], count })),
            new("model", "model", "nominal") { Sort = models }, new("count", "count") { Log = true }, new("input", "input", "nominal"), width: 200, height: 240),
            new("measure", "measure", "nominal") { Sort = sizeMeasures }, columns: 3));
    }

    private static void WriteSummary(ExperimentContext context, Settings settings, ColourisationOptions options,
        List<(string Model, double Loss, double Accuracy, double Seconds)> finals, List<NetworkSize> counts, double chance)
    {
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"{settings.TrainImages} training and {settings.ValidationImages} validation images (synthetic, 32×32, grayscale in, {ColourisationSet.NumColours} colour classes out), "
            + $"kernel {options.Kernel}, {options.NumFilters} filters, Adam lr {LearningRate}, batch {settings.BatchSize}, {settings.Epochs} epochs. "
            + $"Always predicting the most frequent colour class scores {chance:P2}."));
        context.WriteSummary();
        context.WriteSummary("| model | validation loss | validation accuracy |");
        context.WriteSummary("| --- | ---: | ---: |");
        context.Measured.WriteSummary("| model | training time |");
        context.Measured.WriteSummary("| --- | ---: |");
        foreach (var f in finals)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {f.Model} | {f.Loss:F4} | {f.Accuracy:P2} |"));
            context.Measured.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {f.Model} | {f.Seconds:F0} s |"));
        }

        context.WriteSummary();
        context.WriteSummary("Sizes measured on the real networks (outputs from a forward pass, parameters from the modules); see NetworkCounts for what each count includes.");
        context.WriteSummary();
        context.WriteSummary("| model | input | neurons | weights | parameters | connections |");
        context.WriteSummary("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var c in counts)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {c.Model} | {c.Side}×{c.Side} | {c.Counts.Neurons:N0} | {c.Counts.Weights:N0} | {c.Counts.Parameters:N0} | {c.Counts.Connections:N0} |"));
        }

        context.WriteSummary();
        foreach (var group in counts.GroupBy(c => c.Model))
        {
            var (small, large) = (group.First().Counts, group.Last().Counts);
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"- {group.Key}: doubling the input side multiplies the neurons by {(double)large.Neurons / small.Neurons:G4} and the connections by {(double)large.Connections / small.Connections:G4}; the weights by {(double)large.Weights / small.Weights:G4}."));
        }
    }
}
