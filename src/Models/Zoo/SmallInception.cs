using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>
/// The small Inception network of Zhang et al. (2017), "Understanding deep learning requires rethinking
/// generalization", Fig. 3, for 1×28×28 input: conv 3×3 (96); inception 32/32, 32/48; downsample 80;
/// inception 112/48, 96/64, 80/80, 48/96; downsample 96; inception 176/160 twice; global average pool;
/// dropout 0.5; linear. Stride-1 convolutions keep the size ("same"); the downsample branches are
/// "valid", so 28 → 13 → 6.
/// </summary>
public sealed class SmallInception : Module
{
    public SmallInception(long inChannels = 1, long numClasses = 10, double dropout = 0.5)
    {
        conv1 = register_module("conv1", new ConvModule(inChannels, 96, 3, 1, 1));
        var body = new Sequential(
            new InceptionModule(96, 32, 32),
            new InceptionModule(64, 32, 48),
            new DownsampleModule(80, 80),
            new InceptionModule(160, 112, 48),
            new InceptionModule(160, 96, 64),
            new InceptionModule(160, 80, 80),
            new InceptionModule(160, 48, 96),
            new DownsampleModule(144, 96),
            new InceptionModule(240, 176, 160),
            new InceptionModule(336, 176, 160));
        blocks = register_module("blocks", body);
        _pool = register_module("pool", new AdaptiveAvgPool2d((1, 1)));
        _flatten = register_module("flatten", new Flatten());
        _dropout = register_module("dropout", new Dropout(dropout));
        fc = register_module("fc", new Linear(336, numClasses));
    }

    private readonly AdaptiveAvgPool2d _pool;
    private readonly Flatten _flatten;
    private readonly Dropout _dropout;

    public ConvModule conv1 { get; }

    public Sequential blocks { get; }

    public Linear fc { get; }

    public override Tensor forward(Tensor input)
    {
        using var stem = conv1.call(input);
        using var features = blocks.call(stem);
        using var pooled = _pool.call(features);
        using var flat = _flatten.call(pooled);
        using var dropped = _dropout.call(flat);
        return fc.call(dropped);
    }
}
