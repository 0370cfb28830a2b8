using System.Globalization;
using PsTraining.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>weight-decay</c>: gradient descent on L(w) + λ̃‖w‖² takes the step w ← (1 − 2ηλ̃)·w − η∇L(w), which is decoupled
/// weight decay w ← (1 − λ)·w − η∇L(w) with λ = 2ηλ̃; the trajectories agree to rounding. With Adam they do not: an L2
/// term in the loss passes through Adam's per-coordinate scaling, AdamW's decay does not, and the runs part.
/// </summary>
public sealed class WeightDecay(WeightDecay.Settings? settings = null) : IExperiment
{
    // No commas in the names: they are CSV cells.
    public const string SgdPenalty = "SGD + L2 penalty in the loss";
    public const string SgdOption = "SGD weight_decay = 2λ̃";
    public const string SgdDecoupled = "SGD decoupled λ = 2ηλ̃";
    public const string SgdMismatched = "SGD decoupled λ = λ̃";
    public const string AdamPenalty = "Adam + L2 penalty in the loss";
    public const string AdamOption = "Adam weight_decay = 2λ̃";
    public const string AdamW = "AdamW weight_decay = 2λ̃";
    public const string AdamPlain = "Adam without decay";

    /// <summary>The SGD variants, compared with <see cref="SgdPenalty"/>; the last one uses the wrong λ on purpose.</summary>
    public static IReadOnlyList<string> SgdVariants { get; } = [SgdPenalty, SgdOption, SgdDecoupled, SgdMismatched];

    public static IReadOnlyList<string> AdamVariants { get; } = [AdamPenalty, AdamOption, AdamW, AdamPlain];

    public string Name => "weight-decay";

    public string Description => "SGD with an L2 penalty λ̃ equals decoupled weight decay λ = 2ηλ̃; Adam with L2 differs from AdamW";

    /// <summary>The sizes of a run: η for SGD, <paramref name="AdamLearningRate"/> for Adam and AdamW, λ̃ = <paramref name="Penalty"/>.</summary>
    public sealed record Settings(int Samples, int Features, int Steps, double LearningRate, double AdamLearningRate, double Penalty)
    {
        public static Settings Tiny { get; } = new(30, 6, 100, 0.05, 0.05, 0.05);

        public static Settings Default { get; } = new(50, 10, 200, 0.05, 0.05, 0.05);

        public void Validate()
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(Samples, 1, nameof(Samples));
            ArgumentOutOfRangeException.ThrowIfLessThan(Features, 1, nameof(Features));
            ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
            if (!(LearningRate > 0) || !(AdamLearningRate > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(LearningRate), $"LearningRate ({LearningRate}) and AdamLearningRate ({AdamLearningRate}) must be > 0");
            }

            if (!(Penalty > 0) || !(2 * LearningRate * Penalty < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(Penalty), Penalty, $"Penalty must be > 0 with 2·LearningRate·Penalty < 1 (a decay factor 1 − λ in (0, 1))");
            }
        }
    }

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Default));

    private static void Run(ExperimentContext context, Settings settings)
    {
        settings.Validate();
        using var problem = LeastSquaresProblem.Gaussian(settings.Samples, settings.Features, context.Seed);
        problem.WriteCsv(context, "data");
        var decay = 2 * settings.LearningRate * settings.Penalty;
        var paths = SgdVariants.Concat(AdamVariants).ToDictionary(v => v, v =>
        {
            context.Progress($"  {v}, {settings.Steps} steps ...");
            return Descend(problem, v, settings);
        });

        double Gap(string a, string b, int step) => paths[a][step].Zip(paths[b][step], (p, q) => Math.Abs(p - q)).Max();
        double Norm(double[] w) => Math.Sqrt(LeastSquaresProblem.Dot(w, w));
        var steps = Enumerable.Range(0, settings.Steps + 1).ToList();
        context.WriteCsv("trajectories", ["variant", "step", "weight_norm", "loss", "max_abs_difference_from_l2_penalty"],
            paths.SelectMany(p => steps.Select(s => (IReadOnlyList<object?>)[p.Key, s, Norm(p.Value[s]), problem.Loss(p.Value[s]),
                Gap(p.Key, SgdVariants.Contains(p.Key) ? SgdPenalty : AdamPenalty, s)])));
        context.WriteCsv("endpoints", ["variant", "index", "value"],
            paths.SelectMany(p => p.Value[^1].Select((v, j) => (IReadOnlyList<object?>)[p.Key, j, v])));

        AddFigures(context, paths, steps, Gap, Norm);

        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"L(w) = (1/n)‖Xw − t‖², n = {settings.Samples}, d = {settings.Features}, X entries N(0, 1/d), t N(0, 1); full batch from w0 = 0 for {settings.Steps} steps, float64. λ̃ = {settings.Penalty}, SGD η = {settings.LearningRate}, so λ = 2ηλ̃ = {decay:G6}; Adam and AdamW rate {settings.AdamLearningRate}, whose decoupled decay per step is also rate·weight_decay = {2 * settings.AdamLearningRate * settings.Penalty:G6}."));
        context.WriteSummary();
        context.WriteSummary("| variant | largest abs(Δw) from the L2-penalty run, over all steps | ‖w‖ at the end | loss L at the end |");
        context.WriteSummary("| --- | ---: | ---: | ---: |");
        foreach (var variant in SgdVariants.Concat(AdamVariants))
        {
            var reference = SgdVariants.Contains(variant) ? SgdPenalty : AdamPenalty;
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {variant} | {steps.Max(s => Gap(variant, reference, s)):0.00e+00} | {Norm(paths[variant][^1]):F6} | {problem.Loss(paths[variant][^1]):F6} |"));
        }

        var finalGap = LeastSquaresProblem.Distance(paths[AdamPenalty][^1], paths[AdamW][^1]);
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Adam with the L2 term against AdamW, both decaying by the same nominal amount: ‖w_Adam − w_AdamW‖ = {finalGap:G6} at the end ({finalGap / Norm(paths[AdamW][^1]):P1} of ‖w_AdamW‖), at most {steps.Max(s => LeastSquaresProblem.Distance(paths[AdamPenalty][s], paths[AdamW][s])):G6} on the way. Adam divides the penalty's gradient 2λ̃w by the running gradient scale like the rest of the gradient, so coordinates with small gradients are decayed more; AdamW shrinks every coordinate by the same factor."));
    }

    /// <summary>One variant from w0 = 0; the weights before the first step and after each.</summary>
    private static List<double[]> Descend(LeastSquaresProblem problem, string variant, Settings settings)
    {
        using var w = problem.ZeroWeights();
        var (eta, adamEta, penalty) = (settings.LearningRate, settings.AdamLearningRate, settings.Penalty);
        // The decoupled variants shrink w by this factor before each step.
        using var shrink = (variant switch { SgdDecoupled => 1 - (2 * eta * penalty), SgdMismatched => 1 - penalty, _ => 1.0 }).ToScalar();
        using optim.Optimizer optimizer = variant switch
        {
            SgdOption => optim.SGD([w], eta, weight_decay: 2 * penalty),
            SgdPenalty or SgdDecoupled or SgdMismatched => optim.SGD([w], eta),
            AdamOption => optim.Adam([w], adamEta, weight_decay: 2 * penalty),
            AdamW => optim.AdamW([w], adamEta, weight_decay: 2 * penalty),
            AdamPenalty or AdamPlain => optim.Adam([w], adamEta),
            _ => throw new ArgumentException($"unknown variant '{variant}'", nameof(variant)),
        };
        return variant switch
        {
            SgdPenalty or AdamPenalty => problem.Descend(w, optimizer, settings.Steps, penalty: penalty),
            SgdDecoupled or SgdMismatched => problem.Descend(w, optimizer, settings.Steps, beforeStep: () => w.mul_(shrink)),
            _ => problem.Descend(w, optimizer, settings.Steps),
        };
    }

    private static void AddFigures(ExperimentContext context, Dictionary<string, List<double[]>> paths, List<int> steps,
        Func<string, string, int, double> gap, Func<double[], double> norm)
    {
        var step = new VegaLite.Channel("step", "step");
        var weightNorm = new VegaLite.Channel("norm", "‖w‖");
        context.AddFigure("sgd-weight-norm", VegaLite.WithWholeLegendLabels(VegaLite.Line("SGD: ‖w‖ per step (the first three lines coincide)",
            SgdVariants.SelectMany(v => steps.Select(s => new { variant = v, step = s, norm = norm(paths[v][s]) })),
            step, weightNorm, new("variant", "variant", "nominal") { Sort = SgdVariants })));

        const double floor = 1e-18; // exact agreement (0) drawn at the floor of the log axis
        var compared = SgdVariants.Skip(1).ToList();
        context.AddFigure("sgd-differences", VegaLite.WithWholeLegendLabels(VegaLite.Line("SGD: largest |Δw| from the L2-penalty run (0 drawn at 1e-18)",
            compared.SelectMany(v => steps.Skip(1).Select(s => new { variant = v, step = s, difference = Math.Max(gap(v, SgdPenalty, s), floor) })),
            step, new("difference", "largest |Δw|") { Log = true }, new("variant", "variant", "nominal") { Sort = compared })));

        context.AddFigure("adam-weight-norm", VegaLite.WithWholeLegendLabels(VegaLite.Line("Adam with an L2 term against AdamW: ‖w‖ per step",
            AdamVariants.SelectMany(v => steps.Select(s => new { variant = v, step = s, norm = norm(paths[v][s]) })),
            step, weightNorm, new("variant", "variant", "nominal") { Sort = AdamVariants })));
        context.AddFigure("adam-adamw-gap", VegaLite.Line("Distance between the Adam (L2 term) and AdamW weights",
            steps.Select(s => new { series = "‖w_Adam − w_AdamW‖", step = s, gap = LeastSquaresProblem.Distance(paths[AdamPenalty][s], paths[AdamW][s]) }),
            step, new("gap", "‖w_Adam − w_AdamW‖"), new("series", "series", "nominal")));
    }
}
