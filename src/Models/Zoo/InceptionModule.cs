using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>Two branches, a 1×1 conv module (ch1) and a 3×3 conv module (ch3), concatenated on channels (Zhang et al. 2017, Fig. 3).</summary>
public sealed class InceptionModule : nn.Module<Tensor, Tensor>
{
    public readonly ConvModule branch1;
    public readonly ConvModule branch3;

    public InceptionModule(long inChannels, long ch1, long ch3) : base(nameof(InceptionModule))
    {
        branch1 = new ConvModule(inChannels, ch1, 1, 1, 0);
        branch3 = new ConvModule(inChannels, ch3, 3, 1, 1);
        OutChannels = ch1 + ch3;
        RegisterComponents();
    }

    public long OutChannels { get; }

    public override Tensor forward(Tensor input)
    {
        using var a = branch1.call(input);
        using var b = branch3.call(input);
        return cat([a, b], 1);
    }
}
