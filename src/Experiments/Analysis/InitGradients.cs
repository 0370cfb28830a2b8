using System.Globalization;
using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>init-gradients</c>: LeNet-5's gradients after one Fashion-MNIST batch, per parameter, with the default
/// initialisation against all-zero weights and biases. With zeros every activation is 0, the logits are equal, and only
/// the last bias gets a gradient: softmax(0) − one-hot, averaged over the batch, i.e. 1/10 − the share of each class.
/// The initial weights and the batch are saved (*.pstsd: PyTorch's torch.save format, which torch.load reads) so that
/// another implementation can recompute the gradients.
/// </summary>
public sealed class InitGradients(InitGradients.Settings? settings = null) : IExperiment
{
    public string Name => "init-gradients";

    public string Description => "LeNet-5 gradient histograms per layer after one Fashion-MNIST batch: zero initialisation against the default";

    public sealed record Settings(int BatchSize, int Bins)
    {
        public static Settings Tiny { get; } = new(32, 20);

        public static Settings Default { get; } = new(64, 30);

        public static Settings Full { get; } = new(256, 60);
    }

    public static IReadOnlyList<string> Initialisations { get; } = ["default", "zero"];

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    private static void Run(ExperimentContext context, Settings settings)
    {
        var train = FashionMnist.Load("train").Padded(2);
        var indices = DeterministicShuffle.Permutation(train.Count, context.Seed)[..settings.BatchSize];
        using var scope = NewDisposeScope();
        var (images, labels) = train.Batch(indices);
        StateDictFile.Save(Path.Combine(context.Directory, "batch.pstsd"), new Dictionary<string, Tensor> { ["images"] = images, ["labels"] = labels });

        var stats = new List<(string Init, string Parameter, GradientStats Stats)>();
        var bins = new List<(string Init, string Parameter, GradientHistogram.Bin Bin)>();
        var nonZeroUnderZeroInit = new List<(string Parameter, int Index, float Gradient)>();
        var losses = new Dictionary<string, double>();
        foreach (var init in Initialisations)
        {
            Reproducible.Reseed(context.Seed);
            using var model = new LeNet5();
            if (init == "zero")
            {
                using var noGrad = no_grad();
                foreach (var p in model.parameters())
                {
                    p.zero_();
                }
            }

            // StateDictFile writes the same bytes for the same weights (save_py would stamp the time of writing).
            StateDictFile.Save(Path.Combine(context.Directory, $"{init}-weights.pstsd"), model.state_dict());
            var loss = nn.functional.cross_entropy(model.call(images), labels);
            loss.backward();
            losses[init] = loss.item<float>();
            foreach (var (name, parameter) in model.named_parameters())
            {
                var gradient = parameter.grad!.data<float>().ToArray();
                stats.Add((init, name, GradientStats.Of(gradient)));
                bins.AddRange(GradientHistogram.Of(gradient, settings.Bins).Select(b => (init, name, b)));
                if (init == "zero")
                {
                    nonZeroUnderZeroInit.AddRange(gradient.Select((g, i) => (name, i, g)).Where(g => g.g != 0));
                }
            }

            context.Progress(string.Create(CultureInfo.InvariantCulture, $"  {init} initialisation: loss {losses[init]:F4}"));
        }

        context.WriteCsv("gradient-stats", ["init", "parameter", "count", "zeros", "min", "max", "mean_abs", "l2"],
            stats.Select(s => (IReadOnlyList<object?>)[s.Init, s.Parameter, s.Stats.Count, s.Stats.Zeros, s.Stats.Min, s.Stats.Max, s.Stats.MeanAbs, s.Stats.L2]));
        context.WriteCsv("gradient-histograms", ["init", "parameter", "bin_start", "bin_end", "count"],
            bins.Select(b => (IReadOnlyList<object?>)[b.Init, b.Parameter, b.Bin.Start, b.Bin.End, b.Bin.Count]));
        context.WriteCsv("zero-init-nonzero-gradients", ["parameter", "index", "gradient"], nonZeroUnderZeroInit.Select(g => (IReadOnlyList<object?>)[g.Parameter, g.Index, g.Gradient]));

        var order = stats.Select(s => s.Parameter).Distinct().ToList();
        foreach (var init in Initialisations)
        {
            context.AddFigure($"gradient-histograms-{init}", VegaLite.Faceted(VegaLite.Chart(
                $"LeNet-5 gradients after one batch of {settings.BatchSize}, {init} initialisation ({settings.Bins} bins per parameter)", "bar",
                bins.Where(b => b.Init == init && b.Bin.Count > 0).Select(b => new { parameter = b.Parameter, gradient = b.Bin.Centre, count = b.Bin.Count }),
                new("gradient", "gradient"), new("count", "count"), width: 170, height: 110),
                new("parameter", "parameter", "nominal") { Sort = order }, columns: 5, independentX: true));
        }

        context.AddFigure("zero-gradient-share", VegaLite.Faceted(VegaLite.Chart("Share of exactly-zero gradients per parameter", "bar",
            stats.Select(s => new { init = s.Init, parameter = s.Parameter, share = (double)s.Stats.Zeros / s.Stats.Count }),
            new("parameter", "parameter", "nominal") { Sort = order }, new("share", "share of zero gradients") { Domain = [0, 1] }, width: 300, height: 200),
            new("init", "initialisation", "nominal") { Sort = [.. Initialisations] }, columns: 2, independentY: false));

        WriteSummary(context, settings, stats, nonZeroUnderZeroInit, losses);
    }

    private static void WriteSummary(ExperimentContext context, Settings settings, List<(string Init, string Parameter, GradientStats Stats)> stats,
        List<(string Parameter, int Index, float Gradient)> nonZero, Dictionary<string, double> losses)
    {
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"One batch of {settings.BatchSize} Fashion-MNIST training images (padded to 32×32), cross-entropy loss: {losses["default"]:F4} with the default initialisation, {losses["zero"]:F4} (= ln 10 = {Math.Log(10):F4}) with zeros."));
        context.WriteSummary();
        context.WriteSummary("| parameter | values | default: L2 norm | default: zeros | zero init: L2 norm | zero init: zeros |");
        context.WriteSummary("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var pair in stats.GroupBy(s => s.Parameter))
        {
            var d = pair.Single(s => s.Init == "default").Stats;
            var z = pair.Single(s => s.Init == "zero").Stats;
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {pair.Key} | {d.Count} | {d.L2:G4} | {d.Zeros} | {z.L2:G4} | {z.Zeros} |"));
        }

        context.WriteSummary();
        var parameters = nonZero.Select(g => g.Parameter).Distinct().ToList();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"With zero initialisation the only non-zero gradients are in {string.Join(", ", parameters)}: ({string.Join(", ", nonZero.Select(g => g.Gradient.ToString("G4", CultureInfo.InvariantCulture)))}), i.e. 1/10 minus each class's share of the batch: every hidden activation is 0, so no weight below the output sees a gradient."));
    }
}
