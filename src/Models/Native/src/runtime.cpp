// Process-wide state: random seed, threads, CUDA availability.
#include "pst.h"

PST_API void PST_runtime_manual_seed(int64_t seed) { torch::manual_seed(static_cast<uint64_t>(seed)); }
PST_API int32_t PST_runtime_get_num_threads() { return at::get_num_threads(); }
PST_API void PST_runtime_set_num_threads(int32_t n) { at::set_num_threads(n); }
PST_API uint8_t PST_runtime_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
PST_API int32_t PST_runtime_cuda_device_count() { return static_cast<int32_t>(torch::cuda::device_count()); }
PST_API int32_t PST_runtime_cuda_synchronize(int32_t device) { PST_STATUS(torch::cuda::synchronize(device)) }
// The libtorch version this shim was compiled against, e.g. "1.13.1".
PST_API const char* PST_runtime_version() { return TORCH_VERSION; }
