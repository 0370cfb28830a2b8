using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial int PST_memory_limit_push(long bytes);

    [LibraryImport(Library)]
    internal static partial void PST_memory_limit_pop();

    [LibraryImport(Library)]
    internal static partial long PST_memory_limit_in_use();
}
