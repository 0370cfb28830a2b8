using PsTraining.Torch.Modules;

namespace PsTraining.Torch.Optim;

/// <summary>RMSProp with the semantics of <c>torch.optim.RMSprop</c> (ε added outside the square root).</summary>
public sealed class RMSprop : Optimizer
{
    public RMSprop(IEnumerable<Parameter> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0, double momentum = 0,
        bool centered = false)
        : base(parameters, lr, momentum)
    {
        Require(alpha >= 0, nameof(alpha), alpha, ">= 0");
        Require(eps >= 0, nameof(eps), eps, ">= 0");
        Require(weight_decay >= 0, nameof(weight_decay), weight_decay, ">= 0");
        Require(momentum >= 0, nameof(momentum), momentum, ">= 0");
        Alpha = alpha;
        Eps = eps;
        WeightDecay = weight_decay;
        Centered = centered;
    }

    public double Alpha { get; }

    public double Eps { get; }

    public double WeightDecay { get; }

    public bool Centered { get; }

    protected override void Update(ParamGroup group, Parameter p, Tensor grad, Dictionary<string, Tensor> state)
    {
        if (!state.TryGetValue("square_avg", out var squareAvg))
        {
            squareAvg = Keep(state, "square_avg", torch.zeros_like(p));
            if (group.momentum > 0)
            {
                Keep(state, "momentum_buffer", torch.zeros_like(p));
            }

            if (Centered)
            {
                Keep(state, "grad_avg", torch.zeros_like(p));
            }
        }

        if (WeightDecay != 0)
        {
            grad = grad.add(p, WeightDecay);
        }

        squareAvg.mul_(Alpha).addcmul_(grad, grad, 1 - Alpha);
        Tensor avg;
        if (Centered)
        {
            var gradAvg = state["grad_avg"].mul_(Alpha).add_(grad, 1 - Alpha);
            avg = squareAvg.clone().addcmul_(gradAvg, gradAvg, -1).sqrt_().add_(Eps);
        }
        else
        {
            avg = squareAvg.sqrt().add_(Eps);
        }

        if (group.momentum > 0)
        {
            var buf = state.TryGetValue("momentum_buffer", out var b) ? b : Keep(state, "momentum_buffer", torch.zeros_like(p));
            buf.mul_(group.momentum).addcdiv_(grad, avg);
            p.add_(buf, -group.lr);
        }
        else
        {
            p.addcdiv_(grad, avg, -group.lr);
        }
    }
}
