namespace PsTraining.Torch.Modules;

/// <summary>max(0, x), as <c>torch.nn.ReLU</c>.</summary>
public sealed class ReLU : Module
{
    public override Tensor forward(Tensor input) => input.relu();
}
