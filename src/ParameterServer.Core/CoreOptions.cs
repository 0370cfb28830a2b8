namespace PsTraining.ParameterServer.Core;

/// <summary>Options of the parameter-server core; <see cref="Validate"/> names the bad option and its accepted range.</summary>
public sealed record CoreOptions
{
    /// <summary>Contiguous ranges of the flat parameter vector, each with its own lock.</summary>
    public int Shards { get; init; } = 4;

    public ConsistencyPolicy Policy { get; init; } = ConsistencyPolicy.Asp;

    public float LearningRate { get; init; } = 0.01f;

    public ServerOptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Scale the learning rate of a gradient with staleness τ by 1/max(1, τ) (Zhang et al. 2016).</summary>
    public bool StalenessAwareLearningRate { get; init; }

    /// <summary>DC-ASGD's λ (Zheng et al. 2017): g + λ·g⊙g⊙(w − w_read); 0 turns delay compensation off.</summary>
    public float DelayCompensation { get; init; }

    /// <summary>A learner not heard from for this long stops holding SSP and BSP back.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Shards is < 1 or > 1024)
        {
            errors.Add($"shards must be in 1..1024, not {Shards}");
        }

        if (!(LearningRate > 0) || !float.IsFinite(LearningRate))
        {
            errors.Add($"learning rate must be a finite number > 0, not {LearningRate}");
        }

        if (DelayCompensation < 0 || !float.IsFinite(DelayCompensation))
        {
            errors.Add($"delay compensation λ must be a finite number >= 0, not {DelayCompensation}");
        }

        if (HeartbeatTimeout <= TimeSpan.Zero)
        {
            errors.Add($"heartbeat timeout must be > 0, not {HeartbeatTimeout}");
        }

        errors.AddRange(Optimizer.Validate());
        return errors;
    }
}
