using PsTraining.Torch.Modules;

namespace PsTraining.Torch.Optim;

/// <summary>Parameters that share hyper-parameters; schedulers change <see cref="lr"/> (and <see cref="momentum"/>) here.</summary>
public sealed class ParamGroup(IReadOnlyList<Parameter> parameters, double lr, double momentum)
{
    public IReadOnlyList<Parameter> Parameters { get; } = parameters;

    public double lr { get; set; } = lr;

    /// <summary>Momentum for SGD and RMSprop, β₁ for Adam; cycled by <see cref="CyclicLR"/>.</summary>
    public double momentum { get; set; } = momentum;

    /// <summary>The learning rate when the first scheduler attached, as PyTorch's <c>initial_lr</c>.</summary>
    public double? initial_lr { get; set; }
}
