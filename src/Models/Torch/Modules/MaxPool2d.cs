using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>2-D max pooling, as <c>torch.nn.MaxPool2d</c>; the stride defaults to the kernel size.</summary>
public sealed class MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) : Module
{
    public long KernelSize { get; } = kernel_size;

    public long Stride { get; } = stride ?? kernel_size;

    public long Padding { get; } = padding;

    public override Tensor forward(Tensor input) =>
        functional.max_pool2d(input, (KernelSize, KernelSize), (Stride, Stride), (Padding, Padding), (dilation, dilation), ceil_mode);
}
