using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// The small Inception network of Zhang et al. (2017), "Understanding deep learning requires rethinking
/// generalization", Fig. 3, for 1×28×28 input: conv 3×3 (96); inception 32/32, 32/48; downsample 80;
/// inception 112/48, 96/64, 80/80, 48/96; downsample 96; inception 176/160 twice; global average pool;
/// dropout 0.5; linear. Stride-1 convolutions keep the size ("same"); the downsample branches are
/// "valid", so 28 → 13 → 6.
/// </summary>
public sealed class SmallInception : nn.Module<Tensor, Tensor>
{
    public readonly ConvModule conv1;
    public readonly Sequential blocks;
    public readonly AdaptiveAvgPool2d pool = nn.AdaptiveAvgPool2d((1, 1));
    public readonly Flatten flatten = nn.Flatten();
    public readonly Dropout dropout;
    public readonly Linear fc;

    public SmallInception(long inChannels = 1, long numClasses = 10, double dropout = 0.5) : base(nameof(SmallInception))
    {
        conv1 = new ConvModule(inChannels, 96, 3, 1, 1);
        blocks = nn.Sequential(
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
        this.dropout = nn.Dropout(dropout);
        fc = nn.Linear(336, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var stem = conv1.call(input);
        using var features = blocks.call(stem);
        using var pooled = pool.call(features);
        using var flat = flatten.call(pooled);
        using var dropped = dropout.call(flat);
        return fc.call(dropped);
    }
}
