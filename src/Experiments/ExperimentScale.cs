namespace PsTraining.Experiments;

/// <summary>The size of an experiment's run: each experiment maps a scale to its own settings.</summary>
public enum ExperimentScale
{
    /// <summary>Seconds per experiment: what the tests and the reproducibility check run.</summary>
    Tiny,

    /// <summary>CPU-sized: minutes per experiment on a laptop.</summary>
    Default,

    /// <summary>The original, full-size configuration (hours on a CPU; meant for a GPU machine).</summary>
    Full,
}
