using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.TestSupport;

/// <summary>Small cores over a made-up layout of two tensors (3×2 and 4 floats, 10 in all).</summary>
public static class CoreFactory
{
    public static ParameterLayout Layout { get; } = new([("w", [3, 2]), ("b", [4])]);

    public static ParameterServerCore Create(CoreOptions? options = null, TimeProvider? time = null, float[]? initial = null) =>
        new(Layout, initial ?? Enumerable.Range(0, Layout.TotalLength).Select(i => (float)i).ToArray(),
            options ?? new CoreOptions { Shards = 3, LearningRate = 1 }, time);

    public static float[] Weights(ParameterServerCore core)
    {
        var w = new float[core.Layout.TotalLength];
        core.Pull(0, w);
        return w;
    }

    public static float[] Gradient(float value) => Enumerable.Repeat(value, Layout.TotalLength).ToArray();

    public static PushResult Push(ParameterServerCore core, uint learner, ulong sequence, ulong readVersion, float[] gradient) =>
        core.TryPush(new PushInput(learner, sequence, readVersion, gradient)).Result ?? throw new InvalidOperationException("push was not applied");
}
