using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>A 3×3 stride-2 conv module (ch3) beside a 3×3 stride-2 max-pool, concatenated on channels (Zhang et al. 2017, Fig. 3).</summary>
public sealed class DownsampleModule : nn.Module<Tensor, Tensor>
{
    public readonly ConvModule conv;
    public readonly MaxPool2d pool = nn.MaxPool2d(3, 2);

    public DownsampleModule(long inChannels, long ch3) : base(nameof(DownsampleModule))
    {
        conv = new ConvModule(inChannels, ch3, 3, 2, 0);
        OutChannels = inChannels + ch3;
        RegisterComponents();
    }

    public long OutChannels { get; }

    public override Tensor forward(Tensor input)
    {
        using var a = conv.call(input);
        using var b = pool.call(input);
        return cat([a, b], 1);
    }
}
