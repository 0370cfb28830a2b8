namespace PsTraining.Experiments;

/// <summary>How a scale is written in results and on the command line.</summary>
public static class ExperimentScaleNames
{
    public static string Name(this ExperimentScale scale) => scale.ToString().ToLowerInvariant();
}
