namespace PsTraining.Torch;

/// <summary>How a loss reduces over the batch; the values are the native shim's codes.</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}
