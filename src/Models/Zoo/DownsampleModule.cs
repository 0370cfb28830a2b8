using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>A 3×3 stride-2 conv module (ch3) beside a 3×3 stride-2 max-pool, concatenated on channels (Zhang et al. 2017, Fig. 3).</summary>
public sealed class DownsampleModule : Module
{
    public DownsampleModule(long inChannels, long ch3)
    {
        conv = register_module("conv", new ConvModule(inChannels, ch3, 3, 2, 0));
        _pool = register_module("pool", new MaxPool2d(3, 2));
        OutChannels = inChannels + ch3;
    }

    private readonly MaxPool2d _pool;

    public long OutChannels { get; }

    public ConvModule conv { get; }

    public override Tensor forward(Tensor input)
    {
        using var a = conv.call(input);
        using var b = _pool.call(input);
        return torch.cat([a, b], 1);
    }
}
