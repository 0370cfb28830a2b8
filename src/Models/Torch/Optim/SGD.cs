using PsTraining.Torch.Modules;

namespace PsTraining.Torch.Optim;

/// <summary>Stochastic gradient descent with momentum, Nesterov momentum and weight decay, with the semantics of <c>torch.optim.SGD</c>.</summary>
public sealed class SGD : Optimizer
{
    public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
        : base(parameters, lr, momentum)
    {
        Require(momentum >= 0, nameof(momentum), momentum, ">= 0");
        Require(weight_decay >= 0, nameof(weight_decay), weight_decay, ">= 0");
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening");
        }

        Dampening = dampening;
        WeightDecay = weight_decay;
        Nesterov = nesterov;
    }

    public double Dampening { get; }

    public double WeightDecay { get; }

    public bool Nesterov { get; }

    protected override void Update(ParamGroup group, Parameter p, Tensor grad, Dictionary<string, Tensor> state)
    {
        var d = WeightDecay != 0 ? grad.add(p, WeightDecay) : grad;
        if (group.momentum != 0)
        {
            if (!state.TryGetValue("momentum_buffer", out var buf))
            {
                buf = Keep(state, "momentum_buffer", d.clone());
            }
            else
            {
                buf.mul_(group.momentum).add_(d, 1 - Dampening);
            }

            d = Nesterov ? d.add(buf, group.momentum) : buf;
        }

        p.add_(d, -group.lr);
    }
}
