using System.Globalization;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.AnalysisFiles;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>weight-decay against decoupled decay written out here in plain arithmetic, and PyTorch's Adam and AdamW.</summary>
public sealed class WeightDecayTests : IDisposable
{
    private static readonly WeightDecay.Settings Small = WeightDecay.Settings.Tiny;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-weight-decay-").FullName;

    [Fact]
    public void Sgd_with_l2_equals_decoupled_decay_and_adam_with_l2_parts_from_adamw_as_in_pytorch()
    {
        var dir = ExperimentRunner.Run(new WeightDecay(Small), _out, seed: 11);
        var (x, t) = ReadData(Path.Combine(dir, "data.csv"));
        var ends = ReadCsv(Path.Combine(dir, "endpoints.csv")).GroupBy(r => r["variant"])
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Number("index")).Select(r => r.Number("value")).ToArray());

        // w ← (1 − λ)·w − η·(2/n)·Xᵀ(Xw − t) with λ = 2ηλ̃.
        var decoupled = new double[x[0].Length];
        var lambda = 2 * Small.LearningRate * Small.Penalty;
        for (var step = 0; step < Small.Steps; step++)
        {
            var residual = x.Select((row, i) => row.Zip(decoupled, (a, b) => a * b).Sum() - t[i]).ToArray();
            var gradient = Enumerable.Range(0, decoupled.Length).Select(j => 2.0 / x.Length * x.Select((row, i) => row[j] * residual[i]).Sum()).ToArray();
            decoupled = [.. decoupled.Select((w, j) => ((1 - lambda) * w) - (Small.LearningRate * gradient[j]))];
        }

        foreach (var variant in new[] { WeightDecay.SgdPenalty, WeightDecay.SgdOption, WeightDecay.SgdDecoupled })
        {
            Assert.True(Distance(ends[variant], decoupled) < 1e-12, $"{variant} ends {Distance(ends[variant], decoupled)} from decoupled decay");
        }

        Assert.True(Distance(ends[WeightDecay.SgdMismatched], decoupled) > 1e-3, "decay by λ̃ instead of 2ηλ̃ must differ");
        var trajectories = ReadCsv(Path.Combine(dir, "trajectories.csv"));
        Assert.All(trajectories.Where(r => r["variant"] is WeightDecay.SgdOption or WeightDecay.SgdDecoupled or WeightDecay.AdamOption),
            r => Assert.True(r.Number("max_abs_difference_from_l2_penalty") < 1e-12, $"{r["variant"]} at step {r["step"]}"));

        string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var adam = $"adam:lr={Number(Small.AdamLearningRate)},weight_decay={Number(2 * Small.Penalty)}";
        var adamW = $"adamw:lr={Number(Small.AdamLearningRate)},weight_decay={Number(2 * Small.Penalty)}";
        var sgd = $"sgd:lr={Number(Small.LearningRate)},penalty={Number(Small.Penalty)}";
        var (_, pytorch) = PyTorchOptimisers(Path.Combine(dir, "data.csv"), Small.Steps, adam, adamW, sgd);
        Assert.True(Distance(ends[WeightDecay.SgdPenalty], pytorch[sgd]) < 1e-12);
        Assert.True(Distance(ends[WeightDecay.AdamPenalty], pytorch[adam]) < 1e-9, $"Adam + L2 ends {Distance(ends[WeightDecay.AdamPenalty], pytorch[adam])} from PyTorch's");
        Assert.True(Distance(ends[WeightDecay.AdamOption], pytorch[adam]) < 1e-9);
        Assert.True(Distance(ends[WeightDecay.AdamW], pytorch[adamW]) < 1e-9, $"AdamW ends {Distance(ends[WeightDecay.AdamW], pytorch[adamW])} from PyTorch's");
        var gap = Distance(pytorch[adam], pytorch[adamW]);
        Assert.True(gap > 1e-2, $"PyTorch's Adam with L2 and AdamW end only {gap} apart");
        Assert.Equal(gap, Distance(ends[WeightDecay.AdamPenalty], ends[WeightDecay.AdamW]), 1e-8);

        AssertFigure(dir, "sgd-weight-norm", "step", "‖w‖", WeightDecay.SgdPenalty, WeightDecay.SgdDecoupled, WeightDecay.SgdMismatched);
        AssertFigure(dir, "sgd-differences", "step", "largest |Δw|", WeightDecay.SgdOption, WeightDecay.SgdDecoupled);
        AssertFigure(dir, "adam-weight-norm", "step", "‖w‖", WeightDecay.AdamPenalty, WeightDecay.AdamW, WeightDecay.AdamPlain);
        AssertFigure(dir, "adam-adamw-gap", "step", "‖w_Adam − w_AdamW‖");
        Assert.Contains($"| {WeightDecay.SgdDecoupled} |", File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    [Fact]
    public void Rejects_a_decay_factor_outside_zero_to_one()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ExperimentRunner.Run(new WeightDecay(Small with { Penalty = 20 }), _out, seed: 1));
        Assert.Contains("Penalty", error.Message);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
