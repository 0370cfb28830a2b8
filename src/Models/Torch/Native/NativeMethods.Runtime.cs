using System.Runtime.InteropServices;

namespace PsTraining.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial void PST_runtime_manual_seed(long seed);

    [LibraryImport(Library)]
    internal static partial int PST_runtime_get_num_threads();

    [LibraryImport(Library)]
    internal static partial void PST_runtime_set_num_threads(int n);

    [LibraryImport(Library)]
    internal static partial byte PST_runtime_cuda_is_available();

    [LibraryImport(Library)]
    internal static partial int PST_runtime_cuda_device_count();

    [LibraryImport(Library)]
    internal static partial int PST_runtime_cuda_synchronize(int device);

    [LibraryImport(Library)]
    internal static partial IntPtr PST_runtime_version();

    [LibraryImport(Library)]
    internal static partial int PST_runtime_malloc_mmap_threshold();
}
