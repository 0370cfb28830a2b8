namespace PsTraining.Torch;

/// <summary>Interpolation of <see cref="torch.nn.functional.interpolate"/>; the values are the native shim's codes.</summary>
public enum UpsampleMode
{
    Nearest = 0,
    Bilinear = 1,
}
