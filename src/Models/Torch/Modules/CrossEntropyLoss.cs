using static PsTraining.Torch.torch.nn;

namespace PsTraining.Torch.Modules;

/// <summary>Cross-entropy of logits against class indices, as <c>torch.nn.CrossEntropyLoss</c>.</summary>
public sealed class CrossEntropyLoss(Reduction reduction = Reduction.Mean, double label_smoothing = 0)
{
    public Tensor call(Tensor input, Tensor target) => functional.cross_entropy(input, target, reduction: reduction, label_smoothing: label_smoothing);
}
