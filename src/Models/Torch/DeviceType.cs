namespace PsTraining.Torch;

/// <summary>Where a tensor lives; the values are the native shim's device codes.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}
