// Tensor lifetime, creation, properties, host copies and autograd.
#include "pst.h"

#include <cstring>

PST_API void PST_tensor_free(TensorPtr t) { delete t; }

PST_API TensorPtr PST_tensor_from_data(const void* data, int64_t nbytes, int32_t dtype, const int64_t* shape, int32_t ndim,
                                       int32_t device_type, int32_t device_index, uint8_t requires_grad) {
    PST_TRY
    auto cpu = at::empty(pst::dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    const int64_t expected = cpu.numel() * static_cast<int64_t>(cpu.element_size());
    TORCH_CHECK(nbytes == expected, "data holds ", nbytes, " bytes but shape ", cpu.sizes(), " of ", cpu.scalar_type(),
                " needs ", expected);
    if (expected > 0) std::memcpy(cpu.data_ptr(), data, static_cast<size_t>(expected));
    auto t = device_type == 0 ? cpu : cpu.to(pst::device(device_type, device_index));
    if (requires_grad) t.requires_grad_(true);
    return pst::wrap(std::move(t));
    PST_CATCH_RETURN(nullptr)
}

// kind: 0 = empty, 1 = zeros, 2 = ones, 3 = rand (U[0,1)), 4 = randn (N(0,1)), 5 = full(value),
//       6 = randint in [0, value)
PST_API TensorPtr PST_tensor_new(int32_t kind, const int64_t* shape, int32_t ndim, double value, int32_t dtype,
                                 int32_t device_type, int32_t device_index, uint8_t requires_grad) {
    PST_TRY
    const auto size = pst::dims(shape, ndim);
    const auto opts = pst::options(dtype, device_type, device_index, 0);
    at::Tensor t;
    switch (kind) {
    case 0: t = at::empty(size, opts); break;
    case 1: t = at::zeros(size, opts); break;
    case 2: t = at::ones(size, opts); break;
    case 3: t = at::rand(size, opts); break;
    case 4: t = at::randn(size, opts); break;
    case 5: t = at::full(size, value, opts); break;
    case 6: t = at::randint(static_cast<int64_t>(value), size, opts); break;
    default: TORCH_CHECK(false, "unknown tensor factory ", kind);
    }
    if (requires_grad) t.requires_grad_(true);
    return pst::wrap(std::move(t));
    PST_CATCH_RETURN(nullptr)
}

PST_API TensorPtr PST_tensor_arange(double start, double end, double step, int32_t dtype, int32_t device_type, int32_t device_index) {
    PST_TENSOR(at::arange(start, end, step, pst::options(dtype, device_type, device_index, 0)))
}

PST_API int32_t PST_tensor_ndim(TensorPtr t) { return static_cast<int32_t>(t->dim()); }
PST_API int64_t PST_tensor_numel(TensorPtr t) { return t->numel(); }
PST_API int32_t PST_tensor_dtype(TensorPtr t) { return static_cast<int32_t>(t->scalar_type()); }
PST_API int32_t PST_tensor_device_type(TensorPtr t) { return t->is_cuda() ? 1 : 0; }
PST_API int32_t PST_tensor_device_index(TensorPtr t) { return t->is_cuda() ? t->get_device() : -1; }
PST_API uint8_t PST_tensor_requires_grad(TensorPtr t) { return t->requires_grad() ? 1 : 0; }
PST_API uint8_t PST_tensor_is_leaf(TensorPtr t) { return t->is_leaf() ? 1 : 0; }

PST_API void PST_tensor_shape(TensorPtr t, int64_t* out) {
    const auto sizes = t->sizes();
    std::memcpy(out, sizes.data(), sizes.size() * sizeof(int64_t));
}

// Copies the elements (converted to dtype) into a host buffer of exactly nbytes.
PST_API int32_t PST_tensor_copy_to_host(TensorPtr t, void* out, int64_t nbytes, int32_t dtype) {
    PST_TRY
    auto host = t->detach().to(at::kCPU, static_cast<at::ScalarType>(dtype)).contiguous();
    const int64_t have = host.numel() * static_cast<int64_t>(host.element_size());
    TORCH_CHECK(have == nbytes, "buffer holds ", nbytes, " bytes but the tensor needs ", have);
    if (have > 0) std::memcpy(out, host.data_ptr(), static_cast<size_t>(have));
    return 0;
    PST_CATCH_RETURN(-1)
}

// Overwrites the tensor's elements from a host buffer of the given dtype (no autograd record).
PST_API int32_t PST_tensor_copy_from_host(TensorPtr t, const void* data, int64_t nbytes, int32_t dtype) {
    PST_TRY
    at::NoGradGuard no_grad;
    auto src = at::from_blob(const_cast<void*>(data), t->sizes(), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    const int64_t need = src.numel() * static_cast<int64_t>(src.element_size());
    TORCH_CHECK(need == nbytes, "buffer holds ", nbytes, " bytes but the tensor needs ", need);
    t->copy_(src);
    return 0;
    PST_CATCH_RETURN(-1)
}

PST_API int32_t PST_tensor_item(TensorPtr t, double* out) {
    PST_TRY
    TORCH_CHECK(t->numel() == 1, "item() needs a tensor with one element, this one has ", t->numel());
    *out = t->item<double>();
    return 0;
    PST_CATCH_RETURN(-1)
}

PST_API TensorPtr PST_tensor_to(TensorPtr t, int32_t dtype, int32_t device_type, int32_t device_index, uint8_t copy) {
    PST_TENSOR(t->to(pst::device(device_type, device_index), static_cast<at::ScalarType>(dtype), false, copy != 0))
}

PST_API TensorPtr PST_tensor_detach(TensorPtr t) { PST_TENSOR(t->detach()) }
PST_API TensorPtr PST_tensor_clone(TensorPtr t) { PST_TENSOR(t->clone()) }
PST_API TensorPtr PST_tensor_contiguous(TensorPtr t) { PST_TENSOR(t->contiguous()) }
PST_API TensorPtr PST_tensor_alias(TensorPtr t) { PST_TENSOR(*t) }

// Makes t refer to src's data (dtype and device included) while t keeps its identity and autograd
// leaf status: how a module moves its parameters to another device.
PST_API int32_t PST_tensor_set_data(TensorPtr t, TensorPtr src) { PST_STATUS(t->set_data(*src)) }

// ---- autograd ------------------------------------------------------------------------------

PST_API int32_t PST_autograd_set_requires_grad(TensorPtr t, uint8_t value) { PST_STATUS(t->requires_grad_(value != 0)) }

// *out = the gradient, or nullptr when none has been accumulated yet.
PST_API int32_t PST_autograd_grad(TensorPtr t, TensorPtr* out) {
    PST_TRY
    const auto& g = t->grad();
    *out = g.defined() ? pst::wrap(g) : nullptr;
    return 0;
    PST_CATCH_RETURN(-1)
}

PST_API int32_t PST_autograd_set_grad(TensorPtr t, TensorPtr grad) {
    PST_STATUS(if (grad == nullptr) t->mutable_grad().reset(); else t->mutable_grad() = *grad)
}

PST_API int32_t PST_autograd_backward(TensorPtr t, TensorPtr grad_output, uint8_t retain_graph) {
    PST_STATUS(t->backward(grad_output != nullptr ? *grad_output : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt))
}

PST_API uint8_t PST_autograd_is_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
PST_API void PST_autograd_set_enabled(uint8_t enabled) { at::GradMode::set_enabled(enabled != 0); }

// ---- flat views for the parameter-server exchange -------------------------------------------
// One contiguous float32 host buffer <-> a list of tensors (or their gradients), in order.

namespace {
int64_t total_numel(TensorPtr* ts, int32_t n) {
    int64_t total = 0;
    for (int32_t i = 0; i < n; ++i) total += ts[i]->numel();
    return total;
}
}  // namespace

// use_grad: copy each tensor's gradient (zeros where it has none) instead of its values.
PST_API int32_t PST_flat_gather(TensorPtr* ts, int32_t n, float* out, int64_t count, uint8_t use_grad) {
    PST_TRY
    const int64_t total = total_numel(ts, n);
    TORCH_CHECK(total == count, "flat buffer holds ", count, " floats but the tensors hold ", total);
    at::NoGradGuard no_grad;
    int64_t offset = 0;
    for (int32_t i = 0; i < n; ++i) {
        const auto& t = *ts[i];
        auto dst = at::from_blob(out + offset, t.sizes(), at::kFloat);
        if (!use_grad) dst.copy_(t);
        else if (t.grad().defined()) dst.copy_(t.grad());
        else dst.zero_();
        offset += t.numel();
    }
    return 0;
    PST_CATCH_RETURN(-1)
}

PST_API int32_t PST_flat_scatter(TensorPtr* ts, int32_t n, const float* in, int64_t count, uint8_t into_grad) {
    PST_TRY
    const int64_t total = total_numel(ts, n);
    TORCH_CHECK(total == count, "flat buffer holds ", count, " floats but the tensors hold ", total);
    at::NoGradGuard no_grad;
    int64_t offset = 0;
    for (int32_t i = 0; i < n; ++i) {
        auto& t = *ts[i];
        auto src = at::from_blob(const_cast<float*>(in) + offset, t.sizes(), at::kFloat);
        if (!into_grad) {
            t.copy_(src);
        } else {
            if (!t.grad().defined()) t.mutable_grad() = at::zeros_like(t);
            t.mutable_grad().copy_(src);
        }
        offset += t.numel();
    }
    return 0;
    PST_CATCH_RETURN(-1)
}
