namespace PsTraining.Torch.Modules;

/// <summary>
/// A layer or a model, as <c>torch.nn.Module</c>: it owns parameters, buffers and child modules,
/// registered under the names PyTorch's state_dict uses, so weights move between the two unchanged.
/// </summary>
public abstract class Module : IDisposable
{
    [ThreadStatic]
    private static Action<Module, Tensor, Tensor>? _forwardObserver;

    private readonly List<KeyValuePair<string, Parameter?>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor?>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];

    /// <summary>True in training mode (dropout active, batch-norm statistics updated).</summary>
    public bool training { get; private set; } = true;

    /// <summary>The computation; call <see cref="call"/> rather than this, so that observers see it.</summary>
    public abstract Tensor forward(Tensor input);

    public Tensor call(Tensor input)
    {
        var observer = _forwardObserver;
        var output = forward(input);
        observer?.Invoke(this, input, output);
        return output;
    }

    /// <summary>Multiply–accumulate operations of one forward pass for these shapes; 0 for layers without weights.</summary>
    public virtual long MultiplyAccumulates(long[] inputShape, long[] outputShape) => 0;

    /// <summary>Calls <paramref name="observer"/> after every module's forward on this thread until disposed (for summaries).</summary>
    public static IDisposable ObserveForward(Action<Module, Tensor, Tensor> observer)
    {
        var previous = _forwardObserver;
        _forwardObserver = observer;
        return new Restore(() => _forwardObserver = previous);
    }

    protected Parameter? register_parameter(string name, Parameter? parameter)
    {
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    protected Tensor? register_buffer(string name, Tensor? buffer)
    {
        buffer?.DetachFromDisposeScope();
        _buffers.Add(new(name, buffer));
        return buffer;
    }

    protected T register_module<T>(string name, T module) where T : Module
    {
        _children.Add(new(name, module));
        return module;
    }

    public IEnumerable<(string name, Module module)> named_children() => _children.Select(c => (c.Key, c.Value));

    /// <summary>This module and every descendant, depth first, with dotted names ("" for this one).</summary>
    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
        {
            foreach (var item in child.named_modules(Join(prefix, name)))
            {
                yield return item;
            }
        }
    }

    /// <summary>Parameters in PyTorch's order: this module's own, then each child's, depth first.</summary>
    public IEnumerable<(string name, Parameter parameter)> named_parameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters)
        {
            if (p is not null)
            {
                yield return (Join(prefix, name), p);
            }
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.named_parameters(Join(prefix, name)))
            {
                yield return item;
            }
        }
    }

    public IEnumerable<(string name, Tensor buffer)> named_buffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers)
        {
            if (b is not null)
            {
                yield return (Join(prefix, name), b);
            }
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.named_buffers(Join(prefix, name)))
            {
                yield return item;
            }
        }
    }

    public IReadOnlyList<Parameter> parameters() => named_parameters().Select(p => p.parameter).ToList();

    /// <summary>The live parameters and buffers by name, in PyTorch's state_dict order (no copies).</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var result = new Dictionary<string, Tensor>();
        Collect(this, "", result);
        return result;

        static void Collect(Module m, string prefix, Dictionary<string, Tensor> into)
        {
            foreach (var (name, p) in m._parameters)
            {
                if (p is not null)
                {
                    into.Add(Join(prefix, name), p);
                }
            }

            foreach (var (name, b) in m._buffers)
            {
                if (b is not null)
                {
                    into.Add(Join(prefix, name), b);
                }
            }

            foreach (var (name, child) in m._children)
            {
                Collect(child, Join(prefix, name), into);
            }
        }
    }

    /// <summary>Copies values into this module's parameters and buffers. With <paramref name="strict"/>, the key sets must match.</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        var own = state_dict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
            var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                throw new ArgumentException(
                    $"state dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
            }
        }

        // Check every shape before copying anything, so that a bad file leaves the module unchanged.
        foreach (var (key, target) in own)
        {
            if (source.TryGetValue(key, out var value) && !value.shape.AsSpan().SequenceEqual(target.shape))
            {
                throw new ArgumentException(
                    $"'{key}' has shape [{string.Join(", ", value.shape)}] in the state dict but [{string.Join(", ", target.shape)}] in {GetType().Name}");
            }
        }

        foreach (var (key, target) in own)
        {
            if (source.TryGetValue(key, out var value))
            {
                target.copy_(value);
            }
        }
    }

    public void save(string path) => StateDictFile.Save(path, state_dict());

    public void load(string path, bool strict = true)
    {
        var loaded = StateDictFile.Load(path);
        try
        {
            load_state_dict(loaded, strict);
        }
        finally
        {
            foreach (var t in loaded.Values)
            {
                t.Dispose();
            }
        }
    }

    public Module train(bool mode = true)
    {
        foreach (var (_, m) in named_modules())
        {
            m.training = mode;
        }

        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>, keeping their identities (optimisers stay valid).</summary>
    public Module to(Device device)
    {
        device.EnsureAvailable();
        foreach (var t in state_dict().Values)
        {
            using var moved = t.to(device);
            t.set_data(moved);
        }

        return this;
    }

    public void zero_grad()
    {
        foreach (var p in parameters())
        {
            p.grad = null;
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (var (_, p) in _parameters)
        {
            p?.Dispose();
        }

        foreach (var (_, b) in _buffers)
        {
            b?.Dispose();
        }

        foreach (var (_, c) in _children)
        {
            c.Dispose();
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
