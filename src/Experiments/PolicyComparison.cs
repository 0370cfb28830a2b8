using PsTraining.Simulation;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PsTraining.Models.Data;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Experiments;

/// <summary>
/// <c>policy-comparison</c>: 8 simulated learners, one of them 4× slower, train LeNet-5 on Fashion-MNIST with real
/// gradients on the virtual clock, under ASP, SSP(2), SSP(8), BSP, ASP with the staleness-aware learning rate, and ASP
/// with DC-ASGD. For each: virtual time to a target test accuracy, final accuracy, and the staleness distribution.
/// </summary>
public sealed class PolicyComparison(PolicyComparison.Settings? settings = null) : IExperiment
{
    /// <summary>The variants compared: a label and the core options that differ from plain ASP.</summary>
    public static IReadOnlyList<(string Label, Func<CoreOptions, CoreOptions> Configure)> Variants { get; } =
    [
        ("asp", o => o),
        ("ssp:2", o => o with { Policy = ConsistencyPolicy.Ssp(2) }),
        ("ssp:8", o => o with { Policy = ConsistencyPolicy.Ssp(8) }),
        ("bsp", o => o with { Policy = ConsistencyPolicy.Bsp }),
        ("asp+staleness-lr", o => o with { StalenessAwareLearningRate = true }),
        ("asp+dc-asgd", o => o with { DelayCompensation = 0.04f }),
    ];

    public string Name => "policy-comparison";

    public string Description => "8 learners, one 4x slower, LeNet-5 on Fashion-MNIST: ASP, SSP(2), SSP(8), BSP, staleness-aware LR, DC-ASGD on the virtual clock";

    /// <summary>The sizes of a run: CPU-sized by default, the original scale with --full.</summary>
    public sealed record Settings(int TrainSamples, int TestSamples, decimal Until, decimal EvalInterval, int BatchSize, float LearningRate, double TargetAccuracy)
    {
        /// <summary>Seconds: 16 virtual seconds on 2,000 images.</summary>
        public static Settings Tiny { get; } = new(TrainSamples: 2000, TestSamples: 200, Until: 16m, EvalInterval: 4m, BatchSize: 16, LearningRate: 0.05f, TargetAccuracy: 0.3);

        public static Settings Default { get; } = new(12_000, 1_000, 300m, 10m, 32, 0.05f, 0.70);

        public static Settings Full { get; } = new(60_000, 10_000, 1_000m, 10m, 64, 0.05f, 0.85);
    }

    /// <summary>Step times: seven learners at 1, the eighth at 4.</summary>
    public static IReadOnlyList<decimal> StepTimes { get; } = [1m, 1m, 1m, 1m, 1m, 1m, 1m, 4m];

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    private static void Run(ExperimentContext context, Settings settings)
    {
        var train = FashionMnist.Load("train").Take(settings.TrainSamples).Padded(2);
        var test = FashionMnist.Load("test").Take(settings.TestSamples).Padded(2);
        var speeds = StepTimes.Select(t => (SpeedModel)new ConstantSpeed(t)).ToList();
        var scale = TimeScale.For([.. StepTimes, settings.Until, settings.EvalInterval]);
        var baseline = new CoreOptions { Shards = 1, LearningRate = settings.LearningRate };

        var curves = new List<(string Policy, HybridPoint Point)>();
        var staleness = new List<(string Policy, int Learner, ulong Staleness)>();
        var results = new List<Result>();
        foreach (var (label, configure) in Variants)
        {
            context.Progress($"  {label}: {StepTimes.Count} learners to virtual time {settings.Until} ...");
            var (applied, curve) = HybridRun.Run(speeds, configure(baseline), scale, settings.Until, settings.BatchSize, evalEvery: 1, train, test,
                context.Seed, settings.EvalInterval);
            curves.AddRange(curve.Select(p => (label, p)));
            staleness.AddRange(applied.Select(g => (label, g.Learner, g.Staleness)));
            var reached = curve.FirstOrDefault(p => p.TestAccuracy >= settings.TargetAccuracy);
            var values = applied.Select(g => (double)g.Staleness).Order().ToList();
            var result = new Result(label, curve[^1].Version, applied.Count, reached?.Time, curve[^1].TestAccuracy, curve.Max(p => p.TestAccuracy),
                values.Average(), values[(int)(0.95 * (values.Count - 1))], values[^1],
                applied.Where(g => g.Learner == StepTimes.Count).Select(g => (double)g.Staleness).DefaultIfEmpty(0).Average());
            results.Add(result);
            context.Progress($"  {label}: {result.Updates} updates, final accuracy {result.FinalAccuracy:P1}, time to {settings.TargetAccuracy:P0}: {result.TimeToTarget?.ToString(CultureInfo.InvariantCulture) ?? "not reached"}");
        }

        context.WriteCsv("results", ["policy", "updates", "gradients", "time_to_target", "final_accuracy", "best_accuracy", "mean_staleness", "p95_staleness", "max_staleness", "slow_learner_mean_staleness"],
            results.Select(r => (IReadOnlyList<object?>)[r.Policy, r.Updates, r.Gradients, r.TimeToTarget, r.FinalAccuracy, r.BestAccuracy, r.MeanStaleness, r.P95Staleness, r.MaxStaleness, r.SlowLearnerMeanStaleness]));
        context.WriteCsv("curves", ["policy", "virtual_time", "updates", "test_loss", "test_accuracy"],
            curves.Select(c => (IReadOnlyList<object?>)[c.Policy, c.Point.Time, c.Point.Version, c.Point.TestLoss, c.Point.TestAccuracy]));
        var histogram = staleness.GroupBy(s => (s.Policy, Slow: s.Learner == StepTimes.Count, s.Staleness))
            .Select(g => (g.Key.Policy, Learners: g.Key.Slow ? "slow learner" : "fast learners", g.Key.Staleness, Count: g.Count()))
            .OrderBy(h => Variants.ToList().FindIndex(v => v.Label == h.Policy)).ThenBy(h => h.Learners).ThenBy(h => h.Staleness).ToList();
        context.WriteCsv("staleness", ["policy", "learners", "staleness", "count"],
            histogram.Select(h => (IReadOnlyList<object?>)[h.Policy, h.Learners, h.Staleness, h.Count]));

        var order = Variants.Select(v => v.Label).ToList();
        JsonArray Order() => new([.. order.Select(label => (JsonNode)label)]);
        var curveRows = curves.Select(c => new { policy = c.Policy, time = c.Point.Time, updates = c.Point.Version, accuracy = c.Point.TestAccuracy }).ToList();
        var accuracy = new VegaLite.Channel("accuracy", "test accuracy") { Domain = [0, 1] };
        var policy = new VegaLite.Channel("policy", "policy", "nominal") { Sort = order };
        context.AddFigure("accuracy-vs-time", VegaLite.Line($"Test accuracy against virtual time (target {settings.TargetAccuracy:P0})", curveRows,
            new("time", "virtual time"), accuracy, policy, points: true));
        context.AddFigure("accuracy-vs-updates", VegaLite.Line("Test accuracy against model updates", curveRows, new("updates", "model updates"), accuracy, policy, points: true));
        context.AddFigure("staleness", StalenessChart(histogram.Select(h => new { policy = h.Policy, learners = h.Learners, staleness = h.Staleness, count = h.Count }), Order()));

        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Learners: step times {string.Join(", ", StepTimes)} (virtual time units); LeNet-5, batch {settings.BatchSize}, server SGD lr {settings.LearningRate}; {settings.TrainSamples} training and {settings.TestSamples} test images; until virtual time {settings.Until}; target accuracy {settings.TargetAccuracy:P0}. DC-ASGD λ = 0.04; the staleness-aware rate is lr/max(1, τ)."));
        context.WriteSummary();
        context.WriteSummary("| policy | updates | time to target | final accuracy | mean staleness | p95 | max | slow learner's mean |");
        context.WriteSummary("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Policy} | {r.Updates} | {r.TimeToTarget?.ToString(CultureInfo.InvariantCulture) ?? "not reached"} | {r.FinalAccuracy:P1} | {r.MeanStaleness:F2} | {r.P95Staleness} | {r.MaxStaleness} | {r.SlowLearnerMeanStaleness:F2} |"));
        }
    }

    private static JsonNode StalenessChart<T>(IEnumerable<T> rows, JsonArray order)
    {
        var spec = JsonNode.Parse("""
            {
              "title": "Staleness of the applied gradients, by policy",
              "mark": "bar",
              "encoding": {
                "x": { "field": "staleness", "type": "ordinal", "title": "staleness (updates between read and apply)" },
                "y": { "field": "count", "type": "quantitative", "title": "gradients" },
                "color": { "field": "learners", "type": "nominal", "title": "learners" },
                "row": { "field": "policy", "type": "nominal", "title": "policy" }
              },
              "resolve": { "scale": { "y": "independent" } },
              "width": 520, "height": 90
            }
            """)!;
        spec["$schema"] = VegaLite.Schema;
        spec["encoding"]!["row"]!["sort"] = order;
        spec["data"] = new JsonObject { ["values"] = JsonSerializer.SerializeToNode(rows) };
        return spec;
    }

    /// <summary>One variant's outcome; <see cref="TimeToTarget"/> is null when the target was not reached.</summary>
    public sealed record Result(string Policy, ulong Updates, int Gradients, decimal? TimeToTarget, double FinalAccuracy, double BestAccuracy,
        double MeanStaleness, double P95Staleness, double MaxStaleness, double SlowLearnerMeanStaleness);
}
