using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>2-D convolution, as <c>torch.nn.Conv2d</c> (weight shape [out, in/groups, k, k]).</summary>
public sealed class Conv2d : Module
{
    public Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1,
        bool hasBias = true, Device? device = null)
    {
        ConvOptions.Validate(in_channels, out_channels, kernel_size, stride, padding, dilation, groups);
        InChannels = in_channels;
        OutChannels = out_channels;
        KernelSize = kernel_size;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        using var scope = torch.NewDisposeScope();
        weight = register_parameter("weight", new Parameter(torch.empty([out_channels, in_channels / groups, kernel_size, kernel_size], device: device)))!;
        if (hasBias)
        {
            bias = register_parameter("bias", new Parameter(torch.empty([out_channels], device: device)));
        }

        init.default_layer_(weight, bias);
    }

    public long InChannels { get; }

    public long OutChannels { get; }

    public long KernelSize { get; }

    public long Stride { get; }

    public long Padding { get; }

    public long Dilation { get; }

    public long Groups { get; }

    public Parameter weight { get; }

    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) =>
        functional.conv2d(input, weight, bias, (Stride, Stride), (Padding, Padding), (Dilation, Dilation), Groups);

    /// <summary>Every output element costs (in/groups)·k·k multiply–accumulates.</summary>
    public override long MultiplyAccumulates(long[] inputShape, long[] outputShape) =>
        ShapeMath.PerSample(outputShape) * (InChannels / Groups) * KernelSize * KernelSize;
}
