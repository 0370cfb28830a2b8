using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>y = x Wᵀ + b: one linear layer.</summary>
public sealed class LinearRegression : nn.Module<Tensor, Tensor>
{
    public readonly Linear linear;

    public LinearRegression(long inputs, long outputs = 1) : base(nameof(LinearRegression))
    {
        linear = nn.Linear(inputs, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => linear.call(input);
}
