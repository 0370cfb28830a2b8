using PsTraining.Torch.Native;

namespace PsTraining.Torch.Modules;

/// <summary>A learnable tensor owned by a <see cref="Module"/>: a leaf that requires grad and belongs to no dispose scope.</summary>
public sealed class Parameter : Tensor
{
    public Parameter(Tensor data, bool requires_grad = true) : base(NativeMethods.PST_tensor_detach(data.Handle))
    {
        DetachFromDisposeScope();
        this.requires_grad = requires_grad;
    }
}
