using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>y = x Wᵀ + b, as <c>torch.nn.Linear</c> (weight shape [out, in]).</summary>
public sealed class Linear : Module
{
    public Linear(long in_features, long out_features, bool hasBias = true, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(in_features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(out_features, 1);
        InFeatures = in_features;
        OutFeatures = out_features;
        using var scope = torch.NewDisposeScope();
        weight = register_parameter("weight", new Parameter(torch.empty([out_features, in_features], device: device)))!;
        if (hasBias)
        {
            bias = register_parameter("bias", new Parameter(torch.empty([out_features], device: device)));
        }

        init.default_layer_(weight, bias);
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public Parameter weight { get; }

    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);

    public override long MultiplyAccumulates(long[] inputShape, long[] outputShape) => ShapeMath.PerSample(outputShape) * InFeatures;
}
