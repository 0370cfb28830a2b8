using System.Globalization;

namespace PsTraining.Torch;

/// <summary>A device as PyTorch names it: <c>cpu</c>, <c>cuda</c> (the current GPU) or <c>cuda:N</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);

    public static readonly Device CUDA = new(DeviceType.CUDA);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spec = text.Trim().ToLowerInvariant();
        if (spec == "cpu")
        {
            return CPU;
        }

        if (spec == "cuda")
        {
            return CUDA;
        }

        if (spec.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(spec.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"unknown device '{text}': expected cpu, cuda or cuda:N", nameof(text));
    }

    /// <summary>Throws a clear error when this is a CUDA device that the process cannot use.</summary>
    public void EnsureAvailable()
    {
        if (Type == DeviceType.CPU)
        {
            return;
        }

        if (!torch.cuda.is_available())
        {
            throw new TorchException(
                $"device {this} was requested but CUDA is not available: this libtorch ({torch.__version__}) was built without CUDA or no GPU is visible; use --device cpu");
        }

        var count = torch.cuda.device_count();
        if (Index >= count)
        {
            throw new TorchException($"device {this} was requested but only {count} CUDA device(s) are visible (cuda:0..cuda:{count - 1})");
        }
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
