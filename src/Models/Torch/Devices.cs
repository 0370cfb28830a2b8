using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Models.Torch;

/// <summary>Devices as the command lines name them (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>), checked before use.</summary>
public static class Devices
{
    /// <summary>How to get a libtorch with CUDA, for the error a CUDA request on a CPU build gets.</summary>
    private const string CudaHelp =
        "this build's libtorch (libtorch-cpu-linux-x64) has no CUDA. Two ways to get it: build with "
        + "-p:PsTrainingTorchRuntime=cuda, which swaps in TorchSharp-cuda-linux where a registry serves it; or install "
        + "PyTorch 2.10 with CUDA, build with -p:PsTrainingTorchRuntime=none and put its torch/lib folder on LD_LIBRARY_PATH "
        + "(docs/gpu.md)";

    /// <summary>
    /// Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>. Only the text is checked: a CUDA device parses on a machine without
    /// CUDA (TorchSharp's own <c>torch.CUDA</c> and <c>torch.device</c> would throw there), and <see cref="EnsureAvailable"/>
    /// says why it cannot be used.
    /// </summary>
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
            return new Device(DeviceType.CUDA);
        }

        if (spec.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(spec.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"unknown device '{text}': expected cpu, cuda or cuda:N", nameof(text));
    }

    /// <summary>Throws a clear error when <paramref name="device"/> is a CUDA device that this process cannot use.</summary>
    public static void EnsureAvailable(Device device)
    {
        if (device.type == DeviceType.CPU)
        {
            return;
        }

        if (!cuda.is_available())
        {
            throw new InvalidOperationException($"device {device} was requested but CUDA is not available: {CudaHelp}; or use --device cpu");
        }

        var count = cuda.device_count();
        if (device.index >= count)
        {
            throw new InvalidOperationException($"device {device} was requested but only {count} CUDA device(s) are visible (cuda:0..cuda:{count - 1})");
        }
    }
}
