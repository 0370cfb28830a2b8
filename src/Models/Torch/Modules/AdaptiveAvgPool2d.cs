using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>Average pooling to a fixed output size, as <c>torch.nn.AdaptiveAvgPool2d</c>; (1, 1) is global average pooling.</summary>
public sealed class AdaptiveAvgPool2d((long, long) output_size) : Module
{
    public (long, long) OutputSize { get; } = output_size;

    public override Tensor forward(Tensor input) => functional.adaptive_avg_pool2d(input, OutputSize);
}
