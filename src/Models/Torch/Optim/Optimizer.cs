using PsTraining.Torch.Modules;

namespace PsTraining.Torch.Optim;

/// <summary>Base of the optimisers, as <c>torch.optim.Optimizer</c>; each keeps per-parameter state tensors.</summary>
public abstract class Optimizer : IDisposable
{
    private readonly Dictionary<Parameter, Dictionary<string, Tensor>> _state = [];

    protected Optimizer(IEnumerable<Parameter> parameters, double lr, double momentum)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(lr >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(lr), lr, "learning rate must be >= 0");
        }

        var list = parameters.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
        }

        param_groups = [new ParamGroup(list, lr, momentum)];
    }

    public IReadOnlyList<ParamGroup> param_groups { get; }

    /// <summary>Applies one update from the parameters' current gradients.</summary>
    public void step()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        foreach (var group in param_groups)
        {
            foreach (var p in group.Parameters)
            {
                using var grad = p.grad;
                if (grad is not null)
                {
                    Update(group, p, grad, StateOf(p));
                }
            }
        }
    }

    /// <summary>The update of one parameter. <paramref name="state"/> persists across steps; temporaries are freed after the step.</summary>
    protected abstract void Update(ParamGroup group, Parameter p, Tensor grad, Dictionary<string, Tensor> state);

    /// <summary>Stores a state tensor so that it outlives the step's dispose scope.</summary>
    protected static Tensor Keep(Dictionary<string, Tensor> state, string key, Tensor value)
    {
        state[key] = value.DetachFromDisposeScope();
        return value;
    }

    public void zero_grad()
    {
        foreach (var group in param_groups)
        {
            foreach (var p in group.Parameters)
            {
                p.grad = null;
            }
        }
    }

    private Dictionary<string, Tensor> StateOf(Parameter p)
    {
        if (!_state.TryGetValue(p, out var s))
        {
            s = [];
            _state.Add(p, s);
        }

        return s;
    }

    /// <summary>Floats of optimiser state (momentum buffers, moments) now held, for memory reports.</summary>
    public long StateElements => _state.Values.SelectMany(s => s.Values).Sum(t => t.numel());

    public void Dispose()
    {
        foreach (var t in _state.Values.SelectMany(s => s.Values))
        {
            t.Dispose();
        }

        _state.Clear();
        GC.SuppressFinalize(this);
    }

    internal static void Require(bool condition, string name, double value, string range)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be {range}");
        }
    }
}
