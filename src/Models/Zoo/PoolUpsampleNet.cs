using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>
/// Colourisation CNN with max-pool down and nearest upsampling up: [conv → pool → BN → ReLU] ×2 (NF, 2NF),
/// [conv → upsample → BN → ReLU] ×2 (NF, NC), then a final conv (NC). 32×32 in, 32×32 class scores out.
/// </summary>
public sealed class PoolUpsampleNet : Module
{
    public PoolUpsampleNet(ColourisationOptions o)
    {
        o.Validate();
        var (k, p, nf, nc) = (o.Kernel, o.Padding, o.NumFilters, o.NumColours);
        layers = register_module("layers", new Sequential(
            new Conv2d(o.NumInChannels, nf, k, padding: p), new MaxPool2d(2), new BatchNorm2d(nf), new ReLU(),
            new Conv2d(nf, 2 * nf, k, padding: p), new MaxPool2d(2), new BatchNorm2d(2 * nf), new ReLU(),
            new Conv2d(2 * nf, nf, k, padding: p), new Upsample(2), new BatchNorm2d(nf), new ReLU(),
            new Conv2d(nf, nc, k, padding: p), new Upsample(2), new BatchNorm2d(nc), new ReLU(),
            new Conv2d(nc, nc, k, padding: p)));
    }

    public Sequential layers { get; }

    public override Tensor forward(Tensor input) => layers.call(input);
}
