namespace PsTraining.Torch.Modules;

/// <summary>Small helpers over shapes, for layer summaries.</summary>
internal static class ShapeMath
{
    /// <summary>Elements of one sample: the product of every dimension after the first (batch) one.</summary>
    public static long PerSample(long[] shape)
    {
        var n = 1L;
        for (var i = 1; i < shape.Length; i++)
        {
            n *= shape[i];
        }

        return n;
    }
}
