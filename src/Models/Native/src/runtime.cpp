// Process-wide state: random seed, threads, CUDA availability, the C allocator's tuning.
#include "pst.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {
constexpr int kTunedMmapThreshold = 32 * 1024 * 1024;
bool malloc_tuned = false;

bool env_set(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && value[0] != '\0';
}

// libtorch takes every CPU tensor from malloc. Between two training steps all activations and gradients
// are freed, so the top of glibc's heap becomes one large free block; glibc gives it back to the kernel
// (trim) and the next step takes it again, so every activation page faults anew on each step: about 30%
// of a LeNet-5 step here. In CPython the heap top stays pinned by Python objects and the freed pages are
// reused, so the same libtorch runs faster there. Keep them here too: blocks up to 32 MiB (the ceiling of
// glibc's own adaptive threshold) come from the heap, and the heap top is only trimmed beyond 2 GiB free.
// Resident memory then stays at the peak of a step, as under PyTorch. Skipped when the user tunes malloc
// (MALLOC_*_ variables, GLIBC_TUNABLES) or sets PSTRAINING_MALLOC_TUNING=0.
__attribute__((constructor)) void tune_malloc() {
#if defined(__GLIBC__)
    const char* opt_out = std::getenv("PSTRAINING_MALLOC_TUNING");
    if (opt_out != nullptr && std::strcmp(opt_out, "0") == 0) return;
    if (env_set("MALLOC_TRIM_THRESHOLD_") || env_set("MALLOC_MMAP_THRESHOLD_") || env_set("MALLOC_TOP_PAD_") || env_set("GLIBC_TUNABLES")) return;
    malloc_tuned = mallopt(M_MMAP_THRESHOLD, kTunedMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
#endif
}
}  // namespace

PST_API void PST_runtime_manual_seed(int64_t seed) { torch::manual_seed(static_cast<uint64_t>(seed)); }
PST_API int32_t PST_runtime_get_num_threads() { return at::get_num_threads(); }
PST_API void PST_runtime_set_num_threads(int32_t n) { at::set_num_threads(n); }
PST_API uint8_t PST_runtime_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
PST_API int32_t PST_runtime_cuda_device_count() { return static_cast<int32_t>(torch::cuda::device_count()); }
PST_API int32_t PST_runtime_cuda_synchronize(int32_t device) { PST_STATUS(torch::cuda::synchronize(device)) }
// The libtorch version this shim was compiled against, e.g. "1.13.1".
PST_API const char* PST_runtime_version() { return TORCH_VERSION; }
// 1 when the shim tuned glibc's malloc at load (see tune_malloc), for diagnostics and benchmarks.
PST_API uint8_t PST_runtime_malloc_tuned() { return malloc_tuned ? 1 : 0; }
// The mmap threshold the shim set at load, or 0 when it left glibc's: what code that changes it for a while puts back
// (glibc has no call to read it).
PST_API int32_t PST_runtime_malloc_mmap_threshold() { return malloc_tuned ? kTunedMmapThreshold : 0; }
