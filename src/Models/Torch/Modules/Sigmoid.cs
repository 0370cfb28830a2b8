namespace PsTraining.Torch.Modules;

/// <summary>1 / (1 + e^−x), as <c>torch.nn.Sigmoid</c>.</summary>
public sealed class Sigmoid : Module
{
    public override Tensor forward(Tensor input) => input.sigmoid();
}
