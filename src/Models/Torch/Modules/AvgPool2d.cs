using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>2-D average pooling, as <c>torch.nn.AvgPool2d</c>; the stride defaults to the kernel size.</summary>
public sealed class AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) : Module
{
    public long KernelSize { get; } = kernel_size;

    public long Stride { get; } = stride ?? kernel_size;

    public long Padding { get; } = padding;

    public override Tensor forward(Tensor input) =>
        functional.avg_pool2d(input, (KernelSize, KernelSize), (Stride, Stride), (Padding, Padding), ceil_mode, count_include_pad);
}
