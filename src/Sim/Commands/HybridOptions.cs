using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Core;

namespace PsTraining.Sim.Commands;

/// <summary>The options of <c>hybrid</c>: the simulated learners, the server's policy and rate, the real data.</summary>
internal sealed class HybridOptions
{
    [Description("each learner's time per gradient, comma-separated")]
    public string StepTimes { get; init; } = "1,1,1,2.5";

    [Description("virtual time to run to")]
    public string Until { get; init; } = "150";

    [Description("consistency policy"), ConsistencyPolicyText]
    public string Policy { get; init; } = "asp";

    [Description("server SGD learning rate"), Range(0, 1e6, MinimumIsExclusive = true), Display(Name = "lr")]
    public float LearningRate { get; init; } = 0.05f;

    [Description("minibatch per gradient"), Range(1, 65_536)]
    public int BatchSize { get; init; } = 32;

    [Description("evaluate every this many updates"), Range(1, int.MaxValue)]
    public int EvalEvery { get; init; } = 50;

    [Description("training images shared out among the learners"), Range(1, 60_000)]
    public int TrainSamples { get; init; } = 12000;

    [Description("test images per evaluation"), Range(1, 10_000)]
    public int TestSamples { get; init; } = 1000;

    [Description("seed of the weights and the data order")]
    public long Seed { get; init; } = 1;
}
