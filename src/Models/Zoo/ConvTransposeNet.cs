using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>
/// Colourisation CNN with strided convolutions down and transposed convolutions up: [conv s2 → BN → ReLU] ×2
/// (NF, 2NF), [conv-transpose s2 → BN → ReLU] ×2 (NF, NC), then a final conv (NC).
/// </summary>
public sealed class ConvTransposeNet : Module
{
    public ConvTransposeNet(ColourisationOptions o)
    {
        o.Validate();
        var (k, p, nf, nc) = (o.Kernel, o.Padding, o.NumFilters, o.NumColours);
        layers = register_module("layers", new Sequential(
            new Conv2d(o.NumInChannels, nf, k, stride: 2, padding: p), new BatchNorm2d(nf), new ReLU(),
            new Conv2d(nf, 2 * nf, k, stride: 2, padding: p), new BatchNorm2d(2 * nf), new ReLU(),
            new ConvTranspose2d(2 * nf, nf, k, stride: 2, padding: p, output_padding: 1), new BatchNorm2d(nf), new ReLU(),
            new ConvTranspose2d(nf, nc, k, stride: 2, padding: p, output_padding: 1), new BatchNorm2d(nc), new ReLU(),
            new Conv2d(nc, nc, k, padding: p)));
    }

    public Sequential layers { get; }

    public override Tensor forward(Tensor input) => layers.call(input);
}
