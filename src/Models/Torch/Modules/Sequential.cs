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
            x = layer.call(x);
        }

        return x;
    }
}
