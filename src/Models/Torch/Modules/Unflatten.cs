namespace PsTraining.Torch.Modules;

/// <summary>Unfolds dimension <c>dim</c> into <c>sizes</c>, as <c>torch.nn.Unflatten</c> (the inverse of <see cref="Flatten"/>).</summary>
public sealed class Unflatten(long dim, long[] sizes) : Module
{
    public override Tensor forward(Tensor input)
    {
        var shape = input.shape;
        var at = dim < 0 ? dim + shape.Length : dim;
        return input.reshape([.. shape[..(int)at], .. sizes, .. shape[((int)at + 1)..]]);
    }
}
