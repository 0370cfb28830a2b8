using PsTraining.Models.Zoo;
using PsTraining.TestSupport;
using PsTraining.Hosting;

namespace PsTraining.Learner.Tests;

/// <summary>--overlap: a learner computes its next gradient while the previous push is in flight.</summary>
public sealed partial class LearnerProcessTests
{
    [Fact]
    public async Task An_overlapping_learner_pushes_each_gradient_one_version_behind_and_shards_the_same_way()
    {
        var (whole, halves) = await TrainWholeAndHalves("overlap", ["--steps", "12", "--overlap"]);

        // Gradient k is computed on the weights that gradient k − 2's push brought back (the initial ones for the first
        // two): read version max(0, k − 2), applied as version k, so every one after the first is exactly one version stale.
        var pushes = Pushes(whole.Lines);
        Assert.Equal(Enumerable.Range(1, 12).Select(k => (ulong)k), pushes.Select(p => p.GetProperty("appliedVersion").GetUInt64()));
        Assert.Equal(Enumerable.Range(1, 12).Select(k => (ulong)Math.Max(0, k - 2)), pushes.Select(p => p.GetProperty("readVersion").GetUInt64()));
        Assert.Equal([0UL, .. Enumerable.Repeat(1UL, 11)], pushes.Select(p => p.GetProperty("staleness").GetUInt64()));
        Assert.Equal([12UL], whole.Versions);

        // Two servers holding half the model each see the same sequence, and end on the same weights bit for bit.
        Assert.Equal([12UL, 12UL], halves.Versions);
        Assert.Equal(whole.Weights, halves.Weights);

        // And it is a different trajectory from the learner that waits for each push (same data, same rate).
        var waiting = await TrainAndPull([[]], InitialWeights.Of("lenet5", 1).Layout, "waiting", ["--steps", "12"]);
        Assert.NotEqual(waiting.Weights, whole.Weights);
    }

    [Fact]
    public async Task An_overlapping_learner_against_delay_compensation_is_refused_with_the_reason()
    {
        var port = LoopbackPort.Free();
        using var server = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", [.. TestWeights.Args("lenet5"), "--port", $"{port}", "--metrics-port", "-1", "--delay-compensation", "0.1"],
            Path.Combine(_dir, "dc-ps.log"));
        using var learner = ChildProcess.Start("learner-1", "PsTraining.Learner.dll",
            ["--ps", $"http://127.0.0.1:{port}", "--steps", "5", "--overlap", "--test-samples", "0", "--train-samples", "640"], Path.Combine(_dir, "dc-learner.log"));
        Assert.Equal(4, await learner.Exited.WaitAsync(Timeout));
        var log = File.ReadAllText(Path.Combine(_dir, "dc-learner.log"));
        Assert.Contains("learner-1: the parameter server refused: FailedPrecondition: delay compensation needs the weights learner 1 read", log);
    }
}
