using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>Mean squared error, as <c>torch.nn.MSELoss</c>.</summary>
public sealed class MSELoss(Reduction reduction = Reduction.Mean)
{
    public Tensor call(Tensor input, Tensor target) => functional.mse_loss(input, target, reduction);
}
