using PsTraining.Torch.Modules;

namespace PsTraining.Torch.Optim;

/// <summary>Adam with decoupled weight decay (Loshchilov and Hutter), as <c>torch.optim.AdamW</c>; weight decay defaults to 0.01.</summary>
public sealed class AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
    double weight_decay = 1e-2, bool amsgrad = false)
    : Adam(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled: true);
