namespace PsTraining.Models.Zoo;

/// <summary>Options a model may take when built by name; a null keeps the model's own default.</summary>
public sealed record ModelOptions
{
    public long? InChannels { get; init; }

    public long? NumClasses { get; init; }

    /// <summary>Kernel, filters and colours of the colourisation networks.</summary>
    public ColourisationOptions Colourisation { get; init; } = new();
}
