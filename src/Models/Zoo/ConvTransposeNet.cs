using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// Colourisation CNN with strided convolutions down and transposed convolutions up: [conv s2 → BN → ReLU] ×2
/// (NF, 2NF), [conv-transpose s2 → BN → ReLU] ×2 (NF, NC), then a final conv (NC).
/// </summary>
public sealed class ConvTransposeNet : nn.Module<Tensor, Tensor>
{
    public readonly Sequential layers;

    public ConvTransposeNet(ColourisationOptions o) : base(nameof(ConvTransposeNet))
    {
        o.Validate();
        var (k, p, nf, nc) = (o.Kernel, o.Padding, o.NumFilters, o.NumColours);
        layers = nn.Sequential(
            nn.Conv2d(o.NumInChannels, nf, k, stride: 2, padding: p), nn.BatchNorm2d(nf), nn.ReLU(),
            nn.Conv2d(nf, 2 * nf, k, stride: 2, padding: p), nn.BatchNorm2d(2 * nf), nn.ReLU(),
            nn.ConvTranspose2d(2 * nf, nf, k, stride: 2, padding: p, output_padding: 1), nn.BatchNorm2d(nf), nn.ReLU(),
            nn.ConvTranspose2d(nf, nc, k, stride: 2, padding: p, output_padding: 1), nn.BatchNorm2d(nc), nn.ReLU(),
            nn.Conv2d(nc, nc, k, padding: p));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}
