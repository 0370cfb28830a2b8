using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>Two branches, a 1×1 conv module (ch1) and a 3×3 conv module (ch3), concatenated on channels (Zhang et al. 2017, Fig. 3).</summary>
public sealed class InceptionModule : Module
{
    public InceptionModule(long inChannels, long ch1, long ch3)
    {
        branch1 = register_module("branch1", new ConvModule(inChannels, ch1, 1, 1, 0));
        branch3 = register_module("branch3", new ConvModule(inChannels, ch3, 3, 1, 1));
        OutChannels = ch1 + ch3;
    }

    public long OutChannels { get; }

    public ConvModule branch1 { get; }

    public ConvModule branch3 { get; }

    public override Tensor forward(Tensor input)
    {
        using var a = branch1.call(input);
        using var b = branch3.call(input);
        return torch.cat([a, b], 1);
    }
}
