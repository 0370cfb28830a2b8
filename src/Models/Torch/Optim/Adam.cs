using PsTraining.Torch.Modules;

namespace PsTraining.Torch.Optim;

/// <summary>
/// Adam, with the semantics of <c>torch.optim.Adam</c>; with <c>decoupled</c> it is AdamW
/// (weight decay applied to the weights, not added to the gradient).
/// </summary>
public class Adam : Optimizer
{
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0,
        bool amsgrad = false)
        : this(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled: false)
    {
    }

    protected Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool decoupled)
        : base(parameters, lr, beta1)
    {
        Require(beta1 is >= 0 and < 1, nameof(beta1), beta1, "in [0, 1)");
        Require(beta2 is >= 0 and < 1, nameof(beta2), beta2, "in [0, 1)");
        Require(eps >= 0, nameof(eps), eps, ">= 0");
        Require(weight_decay >= 0, nameof(weight_decay), weight_decay, ">= 0");
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weight_decay;
        AmsGrad = amsgrad;
        Decoupled = decoupled;
    }

    public double Beta2 { get; }

    public double Eps { get; }

    public double WeightDecay { get; }

    public bool AmsGrad { get; }

    public bool Decoupled { get; }

    protected override void Update(ParamGroup group, Parameter p, Tensor grad, Dictionary<string, Tensor> state)
    {
        var beta1 = group.momentum;
        if (!state.TryGetValue("exp_avg", out var expAvg))
        {
            Keep(state, "step", torch.zeros([], ScalarType.Float64));
            expAvg = Keep(state, "exp_avg", torch.zeros_like(p));
            Keep(state, "exp_avg_sq", torch.zeros_like(p));
            if (AmsGrad)
            {
                Keep(state, "max_exp_avg_sq", torch.zeros_like(p));
            }
        }

        var stepTensor = state["step"].add_(1);
        var step = stepTensor.item();
        var expAvgSq = state["exp_avg_sq"];

        if (WeightDecay != 0)
        {
            if (Decoupled)
            {
                p.mul_(1 - (group.lr * WeightDecay));
            }
            else
            {
                grad = grad.add(p, WeightDecay);
            }
        }

        expAvg.mul_(beta1).add_(grad, 1 - beta1);
        expAvgSq.mul_(Beta2).addcmul_(grad, grad, 1 - Beta2);
        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, step));
        var second = expAvgSq;
        if (AmsGrad)
        {
            second = state["max_exp_avg_sq"].maximum_(expAvgSq);
        }

        var denom = second.sqrt().div(biasCorrection2Sqrt).add_(Eps);
        p.addcdiv_(expAvg, denom, -group.lr / biasCorrection1);
    }
}
