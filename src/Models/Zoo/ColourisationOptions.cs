namespace PsTraining.Models.Zoo;

/// <summary>The hyper-parameters shared by the colourisation networks (inputs are 32×32).</summary>
public sealed record ColourisationOptions(long Kernel = 3, long NumFilters = 32, long NumColours = 24, long NumInChannels = 1)
{
    /// <summary>"Same" padding for an odd kernel.</summary>
    public long Padding => Kernel / 2;

    public void Validate()
    {
        if (Kernel < 1 || Kernel % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Kernel), Kernel, "kernel must be an odd number >= 1");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(NumFilters, 1, nameof(NumFilters));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumColours, 1, nameof(NumColours));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumInChannels, 1, nameof(NumInChannels));
    }
}
