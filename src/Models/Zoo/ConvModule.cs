using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>Convolution → batch norm → ReLU: the "Conv module" of Zhang et al. (2017), Fig. 3.</summary>
public sealed class ConvModule : Module
{
    public ConvModule(long inChannels, long outChannels, long kernel, long stride, long padding)
    {
        conv = register_module("conv", new Conv2d(inChannels, outChannels, kernel, stride, padding));
        bn = register_module("bn", new BatchNorm2d(outChannels));
        _relu = register_module("relu", new ReLU());
    }

    private readonly ReLU _relu;

    public Conv2d conv { get; }

    public BatchNorm2d bn { get; }

    public override Tensor forward(Tensor input)
    {
        // Free each intermediate handle as soon as the next layer has it, as Python's reference counting would:
        // autograd keeps what backward needs, and activations leave memory earlier.
        using var convolved = conv.call(input);
        using var normalised = bn.call(convolved);
        return _relu.call(normalised);
    }
}
