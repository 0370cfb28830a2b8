namespace PsTraining.ParameterServer.Core;

/// <summary>The server-side optimiser: <c>sgd</c> (momentum, weight decay) or <c>adam</c>, with PyTorch's defaults.</summary>
public sealed record ServerOptimizerOptions
{
    public string Kind { get; init; } = "sgd";

    public float Momentum { get; init; }

    public float WeightDecay { get; init; }

    public float Beta1 { get; init; } = 0.9f;

    public float Beta2 { get; init; } = 0.999f;

    public float Epsilon { get; init; } = 1e-8f;

    public IEnumerable<string> Validate()
    {
        if (Kind is not ("sgd" or "adam"))
        {
            yield return $"optimizer must be sgd or adam, not '{Kind}'";
        }

        if (Momentum is < 0 or >= 1)
        {
            yield return $"momentum must be in [0, 1), not {Momentum}";
        }

        if (WeightDecay < 0 || !float.IsFinite(WeightDecay))
        {
            yield return $"weight decay must be a finite number >= 0, not {WeightDecay}";
        }

        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1)
        {
            yield return $"Adam betas must be in [0, 1), not ({Beta1}, {Beta2})";
        }

        if (!(Epsilon > 0))
        {
            yield return $"Adam epsilon must be > 0, not {Epsilon}";
        }
    }
}
