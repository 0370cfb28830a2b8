using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using static PsTraining.Experiments.Analysis.PlannedLayer;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>GoogLeNet's inception module on a 32×32×256 input, naive against dimension-reduced (filters as in the exercise's figure).</summary>
public sealed partial class CnnSizing
{
    public static IReadOnlyList<long> InceptionInput { get; } = [256, 32, 32];

    /// <summary>The branches of each variant: 1×1 (128), 3×3 (192), 5×5 (96) and the 3×3 max-pool; the reduced one shrinks to 128 and 32 channels before the 3×3 and 5×5, and projects the pool to 64.</summary>
    public static IReadOnlyList<(string Variant, string Branch, IReadOnlyList<PlannedLayer> Layers)> InceptionPlans { get; } =
    [
        ("naive", "1x1", [Conv("1x1 conv", 128, 1)]),
        ("naive", "3x3", [Conv("3x3 conv", 192, 3, 1, 1)]),
        ("naive", "5x5", [Conv("5x5 conv", 96, 5, 1, 2)]),
        ("naive", "pool", [Pool("3x3 max-pool", 3, 1, 1)]),
        ("dimension-reduced", "1x1", [Conv("1x1 conv", 128, 1)]),
        ("dimension-reduced", "3x3", [Conv("1x1 reduce", 128, 1), Conv("3x3 conv", 192, 3, 1, 1)]),
        ("dimension-reduced", "5x5", [Conv("1x1 reduce", 32, 1), Conv("5x5 conv", 96, 5, 1, 2)]),
        ("dimension-reduced", "pool", [Pool("3x3 max-pool", 3, 1, 1), Conv("1x1 projection", 64, 1)]),
    ];

    private static void Inception(ExperimentContext context)
    {
        var models = new Dictionary<string, GoogLeNetInception>
        {
            ["naive"] = GoogLeNetInception.Naive(256, 128, 192, 96),
            ["dimension-reduced"] = GoogLeNetInception.DimensionReduced(256, 128, 128, 192, 32, 96, 64),
        };
        var rows = new List<(string Variant, string Branch, PlannedRow Planned, LayerSummary Measured)>();
        var totals = new List<(string Variant, long Channels, long Multiplies)>();
        foreach (var (variant, model) in models)
        {
            var planned = InceptionPlans.Where(p => p.Variant == variant)
                .SelectMany(p => Walk([.. InceptionInput], p.Layers).Select(row => (p.Branch, Row: row))).ToList();
            var pairs = ModelCheck.Agree($"inception ({variant})", [.. planned.Select(p => p.Row)], ModelSummary.Of(model, [.. InceptionInput]));
            // Each branch keeps the 32×32 grid; the concatenation stacks their last layers' channels.
            var channels = planned.GroupBy(p => p.Branch).Sum(b => b.Last().Row.OutputShape[0]);
            using (NewDisposeScope())
            using (no_grad())
            {
                var output = model.call(zeros([1, .. InceptionInput])).shape;
                ModelCheck.Equal($"inception ({variant})", "concatenation", "output shape", $"{channels}x32x32", $"{output[1]}x{output[2]}x{output[3]}");
            }

            totals.Add((variant, channels, pairs.Sum(p => p.Planned.Multiplies)));
            rows.AddRange(planned.Zip(pairs, (p, m) => (variant, p.Branch, p.Row, m.Measured)));
            model.Dispose();
        }

        context.WriteCsv("inception", ["variant", "branch", "layer", "output_shape", "weights", "multiplies", "model_layer", "model_multiplies"],
            rows.Select(r => (IReadOnlyList<object?>)[r.Variant, r.Branch, r.Planned.Layer.Name, PlannedRow.Format(r.Planned.OutputShape), r.Planned.Weights,
                r.Planned.Multiplies, r.Measured.Name, r.Measured.MultiplyAccumulates]));
        context.AddFigure("inception-multiplies", VegaLite.Chart("Inception module on 32×32×256: multiplies per branch", "bar",
            rows.Select(r => new { variant = r.Variant, branch = r.Branch, multiplies = r.Planned.Multiplies }),
            new("variant", "inception variant", "nominal") { Sort = ["naive", "dimension-reduced"] }, new("multiplies", "multiplies"),
            new("branch", "branch", "nominal") { Sort = ["1x1", "3x3", "5x5", "pool"] }, width: 320));

        context.WriteSummary("## Inception module on a 32×32×256 input");
        context.WriteSummary();
        foreach (var t in totals)
        {
            context.WriteSummary($"- {t.Variant}: output 32×32×{t.Channels} = {Count(32 * 32 * t.Channels)} values; {Count(t.Multiplies)} multiplies");
        }

        context.WriteSummary($"- dimension reduction saves {1 - (double)totals[1].Multiplies / totals[0].Multiplies:P1} of the multiplies");
        context.WriteSummary();
    }
}
