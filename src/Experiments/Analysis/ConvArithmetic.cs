namespace PsTraining.Experiments.Analysis;

/// <summary>The closed forms of convolution arithmetic, written from the definitions (not read off a library).</summary>
public static class ConvArithmetic
{
    /// <summary>
    /// Output side of a k×k window sliding with stride S over an n-wide input padded by P on each side:
    /// n_out = ⌊(n + 2P − k)/S⌋ + 1 (the window's last start must still fit inside the padded input).
    /// </summary>
    public static long OutputSize(long n, long kernel, long padding = 0, long stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1, nameof(kernel));
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding, nameof(padding));
        if (n + 2 * padding < kernel)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"a {kernel}-wide window does not fit an input of {n} padded by {padding}");
        }

        return (n + 2 * padding - kernel) / stride + 1;
    }
}
