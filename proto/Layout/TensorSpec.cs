namespace PsTraining.Protocol;

/// <summary>One named tensor of the model and where it sits in the flat parameter vector.</summary>
public sealed record TensorSpec(string Name, long[] Shape, int Offset, int Length)
{
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
