using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

/// <summary>Owns one native <c>at::Tensor*</c>; freeing it drops libtorch's reference.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.PST_tensor_free(handle);
        return true;
    }
}
