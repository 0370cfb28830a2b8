namespace PsTraining.Torch.Modules;

/// <summary>Applies its children in order, as <c>torch.nn.Sequential</c>; children are named "0", "1", ...</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers)
        {
            append(layer);
        }
    }

    public int Count => _layers.Count;

    public Module this[int index] => _layers[index];

    public Sequential append(Module layer)
    {
        register_module(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            var next = layer.call(x);

            // Intermediates are freed as soon as the next layer has consumed them (autograd keeps what backward needs);
            // the caller's input and a layer that hands back its own input are left alone.
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, next))
            {
                x.Dispose();
            }

            x = next;
        }

        return x;
    }
}
