using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// Colourisation CNN with max-pool down and nearest upsampling up: [conv → pool → BN → ReLU] ×2 (NF, 2NF),
/// [conv → upsample → BN → ReLU] ×2 (NF, NC), then a final conv (NC). 32×32 in, 32×32 class scores out.
/// </summary>
public sealed class PoolUpsampleNet : nn.Module<Tensor, Tensor>
{
    public readonly Sequential layers;

    public PoolUpsampleNet(ColourisationOptions o) : base(nameof(PoolUpsampleNet))
    {
        o.Validate();
        var (k, p, nf, nc) = (o.Kernel, o.Padding, o.NumFilters, o.NumColours);
        layers = nn.Sequential(
            nn.Conv2d(o.NumInChannels, nf, k, padding: p), nn.MaxPool2d(2), nn.BatchNorm2d(nf), nn.ReLU(),
            nn.Conv2d(nf, 2 * nf, k, padding: p), nn.MaxPool2d(2), nn.BatchNorm2d(2 * nf), nn.ReLU(),
            nn.Conv2d(2 * nf, nf, k, padding: p), Upsample2(), nn.BatchNorm2d(nf), nn.ReLU(),
            nn.Conv2d(nf, nc, k, padding: p), Upsample2(), nn.BatchNorm2d(nc), nn.ReLU(),
            nn.Conv2d(nc, nc, k, padding: p));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);

    private static Upsample Upsample2() => nn.Upsample(scale_factor: [2.0, 2.0]);
}
