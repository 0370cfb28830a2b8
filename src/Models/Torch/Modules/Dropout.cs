using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>Zeroes elements with probability p in training and scales the rest by 1/(1−p), as <c>torch.nn.Dropout</c>.</summary>
public sealed class Dropout : Module
{
    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        }

        P = p;
    }

    public double P { get; }

    public override Tensor forward(Tensor input) => functional.dropout(input, P, training);
}
