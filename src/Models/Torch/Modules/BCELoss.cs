using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>Binary cross-entropy of probabilities, as <c>torch.nn.BCELoss</c>.</summary>
public sealed class BCELoss(Reduction reduction = Reduction.Mean)
{
    public Tensor call(Tensor input, Tensor target) => functional.binary_cross_entropy(input, target, reduction: reduction);
}
