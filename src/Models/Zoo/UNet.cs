using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>
/// <see cref="ConvTransposeNet"/> with two skip connections: the last transposed convolution also sees the
/// first block's output ([NF + NF, 16, 16]), and the final convolution also sees the input ([NC + NIC, 32, 32]).
/// </summary>
public sealed class UNet : Module
{
    public UNet(ColourisationOptions o)
    {
        o.Validate();
        var (k, p, nf, nc, nic) = (o.Kernel, o.Padding, o.NumFilters, o.NumColours, o.NumInChannels);
        down1 = register_module("down1", new Sequential(new Conv2d(nic, nf, k, stride: 2, padding: p), new BatchNorm2d(nf), new ReLU()));
        down2 = register_module("down2", new Sequential(new Conv2d(nf, 2 * nf, k, stride: 2, padding: p), new BatchNorm2d(2 * nf), new ReLU()));
        up1 = register_module("up1", new Sequential(new ConvTranspose2d(2 * nf, nf, k, stride: 2, padding: p, output_padding: 1), new BatchNorm2d(nf), new ReLU()));
        up2 = register_module("up2", new Sequential(new ConvTranspose2d(nf + nf, nc, k, stride: 2, padding: p, output_padding: 1), new BatchNorm2d(nc), new ReLU()));
        final = register_module("final", new Conv2d(nc + nic, nc, k, padding: p));
    }

    public Sequential down1 { get; }

    public Sequential down2 { get; }

    public Sequential up1 { get; }

    public Sequential up2 { get; }

    public Conv2d final { get; }

    public override Tensor forward(Tensor input)
    {
        var d1 = down1.call(input);
        var u1 = up1.call(down2.call(d1));
        var u2 = up2.call(torch.cat([u1, d1], 1));
        return final.call(torch.cat([u2, input], 1));
    }
}
