using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

/// <summary>
/// Every P/Invoke into libpstorch.so, one partial file per native area. Calls return a null handle or
/// -1 on failure; <see cref="Check(TensorHandle)"/> and <see cref="Check(int)"/> turn the stored
/// native message into a <see cref="TorchException"/> (a <see cref="TorchOutOfMemoryException"/> when
/// an allocation failed).
/// </summary>
internal static partial class NativeMethods
{
    internal const string Library = "pstorch";

    [LibraryImport(Library)]
    internal static partial IntPtr PST_error_last();

    [LibraryImport(Library)]
    internal static partial int PST_error_last_kind();

    [LibraryImport(Library)]
    internal static partial void PST_error_clear();

    /// <summary>PST_error_last_kind's code for a failed allocation (pst::kOutOfMemory).</summary>
    private const int OutOfMemoryKind = 1;

    internal static TensorHandle Check(TensorHandle result)
    {
        if (result.IsInvalid)
        {
            throw LastError();
        }

        return result;
    }

    internal static void Check(int status)
    {
        if (status != 0)
        {
            throw LastError();
        }
    }

    private static TorchException LastError()
    {
        var message = Marshal.PtrToStringUTF8(PST_error_last()) ?? "libtorch call failed without a message";
        var outOfMemory = PST_error_last_kind() == OutOfMemoryKind;
        PST_error_clear();
        return outOfMemory ? new TorchOutOfMemoryException(message) : new TorchException(message);
    }
}
