using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// GoogLeNet's inception module (Szegedy et al. 2014, Fig. 2): 1×1, 3×3 and 5×5 convolutions and a 3×3 max-pool side by
/// side, each keeping the spatial size, concatenated on channels. The naive module feeds the input straight to every
/// branch; the dimension-reduced one puts 1×1 convolutions before the 3×3 and 5×5 convolutions and after the pool.
/// </summary>
public sealed class GoogLeNetInception : nn.Module<Tensor, Tensor>
{
    public readonly Sequential branch1;
    public readonly Sequential branch3;
    public readonly Sequential branch5;
    public readonly Sequential branch_pool;

    private GoogLeNetInception(long inChannels, long ch1, long? reduce3, long ch3, long? reduce5, long ch5, long? poolProjection)
        : base(nameof(GoogLeNetInception))
    {
        branch1 = nn.Sequential(Conv(inChannels, ch1, 1), nn.ReLU());
        branch3 = Reduced(inChannels, reduce3, c => Conv(c, ch3, 3));
        branch5 = Reduced(inChannels, reduce5, c => Conv(c, ch5, 5));
        branch_pool = nn.Sequential(nn.MaxPool2d(3, 1, 1));
        if (poolProjection is { } projection)
        {
            branch_pool.append(Conv(inChannels, projection, 1)).append(nn.ReLU());
        }

        OutChannels = ch1 + ch3 + ch5 + (poolProjection ?? inChannels);
        RegisterComponents();
    }

    /// <summary>The naive module: every branch sees all <paramref name="inChannels"/>; the pool passes them all on.</summary>
    public static GoogLeNetInception Naive(long inChannels, long ch1, long ch3, long ch5) => new(inChannels, ch1, null, ch3, null, ch5, null);

    /// <summary>The module with dimension reduction: 1×1 convolutions to <paramref name="reduce3"/> and <paramref name="reduce5"/> channels first, and a 1×1 projection of the pool.</summary>
    public static GoogLeNetInception DimensionReduced(long inChannels, long ch1, long reduce3, long ch3, long reduce5, long ch5, long poolProjection) =>
        new(inChannels, ch1, reduce3, ch3, reduce5, ch5, poolProjection);

    public long OutChannels { get; }

    public override Tensor forward(Tensor input) =>
        cat([branch1.call(input), branch3.call(input), branch5.call(input), branch_pool.call(input)], 1);

    /// <summary>A k×k convolution that keeps the spatial size (stride 1, padding k/2).</summary>
    private static Conv2d Conv(long inChannels, long outChannels, long kernel) => nn.Conv2d(inChannels, outChannels, kernel, 1, kernel / 2);

    private static Sequential Reduced(long inChannels, long? reduce, Func<long, Conv2d> conv) =>
        reduce is { } r
            ? nn.Sequential(Conv(inChannels, r, 1), nn.ReLU(), conv(r), nn.ReLU())
            : nn.Sequential(conv(inChannels), nn.ReLU());
}
