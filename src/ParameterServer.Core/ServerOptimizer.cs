namespace PsTraining.ParameterServer.Core;

/// <summary>
/// The update the server applies to its weights for one gradient. State arrays span the whole model;
/// each call touches only the range of one shard, so shards update in parallel without sharing state.
/// </summary>
public abstract class ServerOptimizer
{
    protected ServerOptimizer(int length) => Length = length;

    /// <summary>Floats in the model.</summary>
    public int Length { get; }

    /// <summary>The optimiser's state arrays (momentum buffers, moments), for checkpoints and memory reports.</summary>
    public abstract IReadOnlyList<float[]> State { get; }

    /// <summary>
    /// Updates <paramref name="weights"/> (the slice at <paramref name="offset"/>) from <paramref name="gradient"/>
    /// with learning rate <paramref name="lr"/>; <paramref name="step"/> is the model version this update produces (1, 2, ...).
    /// <paramref name="scratch"/> is at least as long as the slice.
    /// </summary>
    public abstract void Apply(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> scratch, int offset, float lr, long step);

    /// <summary>Builds <c>sgd</c> (with momentum and weight decay) or <c>adam</c>.</summary>
    public static ServerOptimizer Create(ServerOptimizerOptions o, int length) => o.Kind switch
    {
        "sgd" => new SgdServerOptimizer(length, o.Momentum, o.WeightDecay),
        "adam" => new AdamServerOptimizer(length, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{o.Kind}': expected sgd or adam"),
    };
}
