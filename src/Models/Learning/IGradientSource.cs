using PsTraining.Protocol;

namespace PsTraining.Models.Learning;

/// <summary>Real gradients, for the learner process and the simulator's hybrid mode: the model's layout and initial weights, and one learner's gradient on the weights it read.</summary>
public interface IGradientSource
{
    public ParameterLayout Layout { get; }

    public float[] InitialWeights { get; }

    /// <summary>Learner <paramref name="learner"/>'s <paramref name="index"/>-th gradient, computed on <paramref name="weights"/> (its snapshot); returns the minibatch loss.</summary>
    public float Compute(int learner, long index, ReadOnlySpan<float> weights, Span<float> gradient);
}
