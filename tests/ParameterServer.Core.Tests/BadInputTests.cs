using PsTraining.ParameterServer.Core;
using static PsTraining.TestSupport.CoreFactory;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Core.Tests;

/// <summary>Every bad push gets its error code and leaves the weights bit-identical.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string> Cases => new("nan", "inf", "short", "unknown learner", "future read version", "replay", "gap", "left");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_pushes_are_refused_with_their_code_and_change_nothing(string bad)
    {
        using var core = Create();
        var id = core.Register("a").LearnerId;
        Push(core, id, 1, 0, Gradient(1));
        Push(core, id, 2, 1, Gradient(1));
        var before = Weights(core);
        var version = core.Version;

        var nan = Gradient(1);
        nan[7] = float.NaN;
        var inf = Gradient(1);
        inf[0] = float.NegativeInfinity;
        var (input, code, words) = bad switch
        {
            "nan" => (new PushInput(id, 3, 2, nan), PsErrorCode.InvalidArgument, "NaN or Inf"),
            "inf" => (new PushInput(id, 3, 2, inf), PsErrorCode.InvalidArgument, "NaN or Inf"),
            "short" => (new PushInput(id, 3, 2, new float[9]), PsErrorCode.InvalidArgument, "holds 9 floats"),
            "unknown learner" => (new PushInput(99, 1, 0, Gradient(1)), PsErrorCode.NotFound, "not registered"),
            "future read version" => (new PushInput(id, 3, 7, Gradient(1)), PsErrorCode.InvalidArgument, "ahead of the server's version 2"),
            "replay" => (new PushInput(id, 1, 0, Gradient(1)), PsErrorCode.FailedPrecondition, "replay"),
            "gap" => (new PushInput(id, 5, 2, Gradient(1)), PsErrorCode.InvalidArgument, "must push sequence 3"),
            _ => (new PushInput(id, 3, 2, Gradient(1)), PsErrorCode.FailedPrecondition, "has left"),
        };
        if (bad == "left")
        {
            core.Leave(id);
        }

        var e = Assert.Throws<PsException>(() => core.TryPush(input));
        Assert.Equal(code, e.Code);
        Assert.Contains(words, e.Message);
        Assert.Equal(before, Weights(core));
        Assert.Equal(version, core.Version);
        Assert.Equal(1UL, core.Stats().Rejected);
    }

    [Fact]
    public void A_retried_push_is_acknowledged_again_and_never_applied_twice()
    {
        using var core = Create();
        var id = core.Register("a").LearnerId;
        var first = Push(core, id, 1, 0, Gradient(1));
        var weights = Weights(core);
        var again = Push(core, id, 1, 0, Gradient(1));
        Assert.True(again.Duplicate);
        Assert.Equal(first.Version, again.Version);
        Assert.Equal(weights, Weights(core));
        Assert.Equal(1UL, core.Version);
        Assert.Equal(1UL, core.Stats().Duplicates);
    }

    [Fact]
    public void Layout_flatten_names_the_wrong_tensor_or_shape()
    {
        var layout = Layout;
        var destination = new float[layout.TotalLength];
        (string Name, long[] Shape, float[] Values)[] wrongName = [("w", [3, 2], new float[6]), ("bias", [4], new float[4])];
        var e = Assert.Throws<PsException>(() => layout.Flatten(wrongName, t => t.Name, t => t.Shape, t => t.Values.Length, (t, d) => t.Values.CopyTo(d), destination));
        Assert.Contains("unknown tensor 'bias'", e.Message);

        (string Name, long[] Shape, float[] Values)[] wrongShape = [("w", [2, 3], new float[6]), ("b", [4], new float[4])];
        e = Assert.Throws<PsException>(() => layout.Flatten(wrongShape, t => t.Name, t => t.Shape, t => t.Values.Length, (t, d) => t.Values.CopyTo(d), destination));
        Assert.Contains("shape [2, 3] but the model's is [3, 2]", e.Message);
        Assert.All(destination, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Bad_options_are_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Create(new CoreOptions { Shards = 0, LearningRate = -1, Optimizer = new() { Kind = "lion" } }));
        Assert.Contains("shards must be in 1..1024", e.Message);
        Assert.Contains("learning rate must be a finite number > 0", e.Message);
        Assert.Contains("optimizer must be sgd or adam", e.Message);
        Assert.Contains("expected asp, ssp:S", Assert.Throws<ArgumentException>(() => ConsistencyPolicy.Parse("ssp")).Message);
        Assert.Equal(ConsistencyPolicy.Ssp(3), ConsistencyPolicy.Parse("SSP:3"));
    }
}
