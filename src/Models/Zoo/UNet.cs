using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// <see cref="ConvTransposeNet"/> with two skip connections: the last transposed convolution also sees the
/// first block's output ([NF + NF, 16, 16]), and the final convolution also sees the input ([NC + NIC, 32, 32]).
/// </summary>
public sealed class UNet : nn.Module<Tensor, Tensor>
{
    public readonly Sequential down1;
    public readonly Sequential down2;
    public readonly Sequential up1;
    public readonly Sequential up2;
    public readonly Conv2d final;

    public UNet(ColourisationOptions o) : base(nameof(UNet))
    {
        o.Validate();
        var (k, p, nf, nc, nic) = (o.Kernel, o.Padding, o.NumFilters, o.NumColours, o.NumInChannels);
        down1 = ConvBnRelu(nn.Conv2d(nic, nf, k, stride: 2, padding: p), nf);
        down2 = ConvBnRelu(nn.Conv2d(nf, 2 * nf, k, stride: 2, padding: p), 2 * nf);
        up1 = ConvBnRelu(nn.ConvTranspose2d(2 * nf, nf, k, stride: 2, padding: p, output_padding: 1), nf);
        up2 = ConvBnRelu(nn.ConvTranspose2d(nf + nf, nc, k, stride: 2, padding: p, output_padding: 1), nc);
        final = nn.Conv2d(nc + nic, nc, k, padding: p);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var d1 = down1.call(input);
        var u1 = up1.call(down2.call(d1));
        var u2 = up2.call(cat([u1, d1], 1));
        return final.call(cat([u2, input], 1));
    }

    private static Sequential ConvBnRelu(nn.Module<Tensor, Tensor> conv, long channels) => nn.Sequential(conv, nn.BatchNorm2d(channels), nn.ReLU());
}
