using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>2-D transposed convolution, as <c>torch.nn.ConvTranspose2d</c> (weight shape [in, out/groups, k, k]).</summary>
public sealed class ConvTranspose2d : Module
{
    public ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0,
        long groups = 1, bool hasBias = true, long dilation = 1, Device? device = null)
    {
        ConvOptions.Validate(in_channels, out_channels, kernel_size, stride, padding, dilation, groups);
        if (output_padding < 0 || (output_padding >= stride && output_padding >= dilation))
        {
            throw new ArgumentOutOfRangeException(nameof(output_padding), output_padding, "output_padding must be >= 0 and smaller than stride or dilation");
        }

        InChannels = in_channels;
        OutChannels = out_channels;
        KernelSize = kernel_size;
        Stride = stride;
        Padding = padding;
        OutputPadding = output_padding;
        Dilation = dilation;
        Groups = groups;
        using var scope = torch.NewDisposeScope();
        weight = register_parameter("weight", new Parameter(torch.empty([in_channels, out_channels / groups, kernel_size, kernel_size], device: device)))!;
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

    public long OutputPadding { get; }

    public long Dilation { get; }

    public long Groups { get; }

    public Parameter weight { get; }

    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) =>
        functional.conv_transpose2d(input, weight, bias, (Stride, Stride), (Padding, Padding), (OutputPadding, OutputPadding), Groups, (Dilation, Dilation));

    /// <summary>Every input element is spread over (out/groups)·k·k outputs.</summary>
    public override long MultiplyAccumulates(long[] inputShape, long[] outputShape) =>
        ShapeMath.PerSample(inputShape) * (OutChannels / Groups) * KernelSize * KernelSize;
}
