using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

/// <summary>
/// Every P/Invoke into libpstorch.so, one partial file per native area. Calls return a null handle or
/// -1 on failure; <see cref="Check(TensorHandle)"/> and <see cref="Check(int)"/> turn the stored
/// native message into a <see cref="TorchException"/>.
/// </summary>
internal static partial class NativeMethods
{
    internal const string Library = "pstorch";

    [LibraryImport(Library)]
    internal static partial IntPtr PST_error_last();

    [LibraryImport(Library)]
    internal static partial void PST_error_clear();

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
        PST_error_clear();
        return new TorchException(message);
    }
}
