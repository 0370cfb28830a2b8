using System.Numerics;

namespace PsTraining.ParameterServer.Core;

/// <summary>Vectorised check that a gradient holds no NaN or ±Inf: x − x is 0 for every finite x and NaN otherwise.</summary>
internal static class Finite
{
    public static bool All(ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i));
                acc += v - v;
            }

            if (!Vector.EqualsAll(acc, Vector<float>.Zero))
            {
                return false;
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }
}
