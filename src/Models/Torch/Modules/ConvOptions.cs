namespace PsTraining.Torch.Modules;

/// <summary>The checks shared by the convolution layers, each naming the bad argument and its accepted range.</summary>
internal static class ConvOptions
{
    public static void Validate(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation, long groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1, "in_channels");
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1, "out_channels");
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1, "kernel_size");
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, "stride");
        ArgumentOutOfRangeException.ThrowIfLessThan(padding, 0, "padding");
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1, "dilation");
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1, "groups");
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"in_channels ({inChannels}) and out_channels ({outChannels}) must both be divisible by groups ({groups})");
        }
    }
}
