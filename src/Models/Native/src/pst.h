// Conventions of the PsTraining C ABI (see src/Models/Torch/Native/NativeMethods.cs):
//  - every export is PST_API and named PST_<area>_<op>;
//  - only fixed-width types cross the boundary (int32_t, int64_t, uint8_t for bool, double);
//  - a tensor crosses as an opaque pointer to a heap-allocated at::Tensor, freed by PST_tensor_free;
//  - no C++ exception crosses: PST_TRY/PST_CATCH store the message in a thread-local and the
//    function returns nullptr (pointer results) or -1 (status results); the managed side throws.
#pragma once
#include <cstdint>
#include <string>
#include <torch/torch.h>

#define PST_API extern "C" __attribute__((visibility("default")))

using TensorPtr = at::Tensor*;

namespace pst {
// What kind of failure the last error was (PST_error_last_kind); the managed side picks its exception by it.
enum ErrorKind : int32_t { kGeneralError = 0, kOutOfMemory = 1 };

void set_error(const char* message, ErrorKind kind = kGeneralError);
void clear_error();

inline TensorPtr wrap(at::Tensor&& t) { return new at::Tensor(std::move(t)); }
inline TensorPtr wrap(const at::Tensor& t) { return new at::Tensor(t); }

inline at::IntArrayRef dims(const int64_t* values, int32_t n) { return at::IntArrayRef(values, static_cast<size_t>(n)); }

// Device codes: 0 = cpu, 1 = cuda (index in a separate argument, -1 = current).
inline at::Device device(int32_t type, int32_t index) {
    return type == 1 ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index))
                     : at::Device(at::kCPU);
}

inline at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index, uint8_t requires_grad) {
    return at::TensorOptions()
        .dtype(static_cast<at::ScalarType>(dtype))
        .device(device(device_type, device_index))
        .requires_grad(requires_grad != 0);
}

// A double from the managed side as the Scalar an op on t expects: integral tensors get an integral
// Scalar when the value is whole, so that e.g. num_batches_tracked.add_(1) stays int64.
inline at::Scalar scalar_for(const at::Tensor& t, double value) {
    if (!at::isFloatingType(t.scalar_type()) && value == static_cast<double>(static_cast<int64_t>(value)))
        return at::Scalar(static_cast<int64_t>(value));
    return at::Scalar(value);
}

// Reduction codes match torch.nn's reduction argument: 0 = none, 1 = mean, 2 = sum.
inline int64_t reduction(int32_t code) {
    switch (code) {
    case 0: return at::Reduction::None;
    case 2: return at::Reduction::Sum;
    default: return at::Reduction::Mean;
    }
}
}  // namespace pst

#define PST_TRY try {
#define PST_CATCH_RETURN(failure)                         \
    }                                                     \
    catch (const c10::OutOfMemoryError& e) {              \
        pst::set_error(e.what_without_backtrace(),        \
                       pst::kOutOfMemory);                \
        return failure;                                   \
    }                                                     \
    catch (const std::bad_alloc& e) {                     \
        pst::set_error(e.what(), pst::kOutOfMemory);      \
        return failure;                                   \
    }                                                     \
    catch (const c10::Error& e) {                         \
        pst::set_error(e.what_without_backtrace());       \
        return failure;                                   \
    }                                                     \
    catch (const std::exception& e) {                     \
        pst::set_error(e.what());                         \
        return failure;                                   \
    }                                                     \
    catch (...) {                                         \
        pst::set_error("unknown native error");           \
        return failure;                                   \
    }

// A tensor-returning body: PST_TENSOR(expr) evaluates expr and hands back a new handle.
#define PST_TENSOR(expr) PST_TRY return pst::wrap(expr); PST_CATCH_RETURN(nullptr)
// A status-returning body: 0 on success.
#define PST_STATUS(stmts) PST_TRY stmts; return 0; PST_CATCH_RETURN(-1)
