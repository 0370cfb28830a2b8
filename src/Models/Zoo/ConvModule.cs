using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>Convolution → batch norm → ReLU: the "Conv module" of Zhang et al. (2017), Fig. 3.</summary>
public sealed class ConvModule : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv;
    public readonly BatchNorm2d bn;
    public readonly ReLU relu = nn.ReLU();

    public ConvModule(long inChannels, long outChannels, long kernel, long stride, long padding) : base(nameof(ConvModule))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride, padding);
        bn = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        // Each intermediate is freed as soon as the next layer has it, as Python's reference counting would (autograd
        // keeps what backward needs): the step's memory stays lower, and SmallInception's step measurably faster.
        using var convolved = conv.call(input);
        using var normalised = bn.call(convolved);
        return relu.call(normalised);
    }
}
