using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Models.Zoo;

/// <summary>y = x Wᵀ + b: one linear layer.</summary>
public sealed class LinearRegression : Module
{
    public LinearRegression(long inputs, long outputs = 1)
    {
        linear = register_module("linear", new Linear(inputs, outputs));
    }

    public Linear linear { get; }

    public override Tensor forward(Tensor input) => linear.call(input);
}
