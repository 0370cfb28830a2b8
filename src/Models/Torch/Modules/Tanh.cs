namespace PsTraining.Torch.Modules;

/// <summary>tanh(x), as <c>torch.nn.Tanh</c>.</summary>
public sealed class Tanh : Module
{
    public override Tensor forward(Tensor input) => input.tanh();
}
