namespace PsTraining.Simulation;

/// <summary>Learners of a scenario that share a speed: <see cref="Count"/> of them, each with its own random stream.</summary>
public sealed record LearnerGroup
{
    public int Count { get; init; } = 1;

    /// <summary>Step time (the median for lognormal, the mean for exponential), in virtual time units.</summary>
    public decimal StepTime { get; init; }

    /// <summary>constant (default), exponential, or lognormal:SIGMA.</summary>
    public string? Random { get; init; }

    /// <summary>Every StragglerEvery-th gradient takes StragglerPause longer (0 = no straggling).</summary>
    public long StragglerEvery { get; init; }

    public decimal StragglerPause { get; init; }
}
