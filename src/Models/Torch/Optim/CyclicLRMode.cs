namespace PsTraining.Torch.Optim;

/// <summary>The amplitude policies of <see cref="CyclicLR"/> (Smith 2017).</summary>
public enum CyclicLRMode
{
    /// <summary>Constant amplitude.</summary>
    Triangular,

    /// <summary>Amplitude halved every cycle.</summary>
    Triangular2,

    /// <summary>Amplitude scaled by γ^iteration.</summary>
    ExpRange,
}
