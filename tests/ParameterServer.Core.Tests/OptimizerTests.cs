using PsTraining.ParameterServer.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static PsTraining.TestSupport.CoreFactory;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Core.Tests;

/// <summary>
/// The server-side optimisers against TorchSharp's optimisers (themselves matched to python3-torch in
/// tests/Models.Tests), on the same gradient sequence; and DC-ASGD against its formula.
/// </summary>
public sealed class OptimizerTests
{
    public static TheoryData<string> Kinds => new("sgd", "sgd-plain", "adam");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Server_optimiser_follows_the_torch_optimiser(string kind)
    {
        var initial = Enumerable.Range(0, 10).Select(i => (float)Math.Sin(i)).ToArray();
        var options = kind switch
        {
            "sgd" => new ServerOptimizerOptions { Kind = "sgd", Momentum = 0.9f, WeightDecay = 0.01f },
            "sgd-plain" => new ServerOptimizerOptions { Kind = "sgd" },
            _ => new ServerOptimizerOptions { Kind = "adam", WeightDecay = 0.01f },
        };
        using var core = Create(new CoreOptions { Shards = 3, LearningRate = 0.05f, Optimizer = options }, initial: initial);
        var id = core.Register("a").LearnerId;

        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(initial));
        using var opt = kind == "adam"
            ? (OptimizerHelper)optim.Adam([p], lr: 0.05, weight_decay: 0.01)
            : optim.SGD([p], learningRate: 0.05, momentum: options.Momentum, weight_decay: options.WeightDecay);

        for (ulong s = 1; s <= 6; s++)
        {
            var g = Enumerable.Range(0, 10).Select(i => (float)Math.Cos(i * (double)s)).ToArray();
            Push(core, id, s, s - 1, g);
            p.grad = tensor(g);
            opt.step();
        }

        var expected = p.data<float>().ToArray();
        var actual = Weights(core);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] server {actual[i]}, torch {expected[i]}");
        }
    }

    [Fact]
    public void Delay_compensation_adds_lambda_g_g_times_the_drift_since_the_read()
    {
        const float lambda = 0.5f;
        using var core = Create(new CoreOptions { Shards = 2, LearningRate = 1, DelayCompensation = lambda }, initial: new float[10]);
        var a = core.Register("a").LearnerId;
        var b = core.Register("b").LearnerId;
        core.Pull(a, new float[10]);
        var readB = core.Pull(b, new float[10]);               // b reads w = 0
        Push(core, a, 1, 0, Gradient(1));                       // w = −1
        var wBefore = Weights(core);
        Push(core, b, 1, readB, Gradient(2));                   // g' = 2 + 0.5·2·2·(−1 − 0) = 0
        var wAfter = Weights(core);
        for (var i = 0; i < 10; i++)
        {
            var g = 2f;
            var compensated = g + (lambda * g * g * (wBefore[i] - 0));
            Assert.Equal(wBefore[i] - compensated, wAfter[i]);
        }

        Assert.Equal(20, core.Stats().DelayCompensationFloats); // one copy of the 10 weights per learner
    }

    [Fact]
    public void Delay_compensation_refuses_a_push_whose_read_it_did_not_see()
    {
        using var core = Create(new CoreOptions { Shards = 1, LearningRate = 1, DelayCompensation = 0.1f });
        var a = core.Register("a").LearnerId;
        var e = Assert.Throws<PsException>(() => core.TryPush(new PushInput(a, 1, 0, Gradient(1))));
        Assert.Equal(PsErrorCode.FailedPrecondition, e.Code);
        Assert.Contains("delay compensation", e.Message);
    }
}
