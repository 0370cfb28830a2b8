namespace PsTraining.Experiments.Training;

/// <summary>Options of single-node training; <see cref="Validate"/> names the bad option and its accepted range.</summary>
public sealed record TrainOptions
{
    public string Model { get; init; } = "lenet5";

    public int Epochs { get; init; } = 2;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 0.01;

    public double Momentum { get; init; } = 0.9;

    /// <summary>Train on at most this many samples (0 = all), for quick runs.</summary>
    public int Limit { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>libtorch intra-op threads; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>cpu, cuda or cuda:N; null = CUDA when available, else CPU.</summary>
    public string? Device { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Model is not ("lenet5" or "small-inception"))
        {
            errors.Add($"--model must be lenet5 or small-inception (the Fashion-MNIST classifiers), not '{Model}'");
        }

        if (Epochs < 1)
        {
            errors.Add($"--epochs must be >= 1, not {Epochs}");
        }

        if (BatchSize is < 1 or > 65536)
        {
            errors.Add($"--batch-size must be in 1..65536, not {BatchSize}");
        }

        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            errors.Add($"--lr must be a finite number > 0, not {LearningRate}");
        }

        if (Momentum is < 0 or >= 1)
        {
            errors.Add($"--momentum must be in [0, 1), not {Momentum}");
        }

        if (Limit < 0)
        {
            errors.Add($"--limit must be >= 0 (0 = all samples), not {Limit}");
        }

        if (Threads < 0)
        {
            errors.Add($"--threads must be >= 0 (0 = one per core), not {Threads}");
        }

        return errors;
    }
}
