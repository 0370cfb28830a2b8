// Element-wise, reduction, shape and in-place tensor operations.
// Op codes are mirrored by the enums in src/Models/Torch/Native/OpCodes.cs.
#include "pst.h"

#include <vector>

namespace {
std::vector<at::Tensor> unpack(TensorPtr* ts, int32_t n) {
    std::vector<at::Tensor> list;
    list.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) list.push_back(*ts[i]);
    return list;
}
}  // namespace

PST_API TensorPtr PST_op_unary(int32_t op, TensorPtr a) {
    PST_TRY
    const auto& x = *a;
    switch (op) {
    case 0: return pst::wrap(at::neg(x));
    case 1: return pst::wrap(at::relu(x));
    case 2: return pst::wrap(at::sigmoid(x));
    case 3: return pst::wrap(at::tanh(x));
    case 4: return pst::wrap(at::exp(x));
    case 5: return pst::wrap(at::log(x));
    case 6: return pst::wrap(at::sqrt(x));
    case 7: return pst::wrap(at::abs(x));
    case 8: return pst::wrap(at::sin(x));
    case 9: return pst::wrap(at::cos(x));
    case 10: return pst::wrap(at::square(x));
    case 11: return pst::wrap(at::sign(x));
    case 12: return pst::wrap(at::floor(x));
    case 13: return pst::wrap(at::reciprocal(x));
    case 14: return pst::wrap(at::isnan(x));
    case 15: return pst::wrap(at::isfinite(x));
    default: TORCH_CHECK(false, "unknown unary op ", op);
    }
    PST_CATCH_RETURN(nullptr)
}

PST_API TensorPtr PST_op_binary(int32_t op, TensorPtr a, TensorPtr b, double alpha) {
    PST_TRY
    const auto& x = *a;
    const auto& y = *b;
    switch (op) {
    case 0: return pst::wrap(at::add(x, y, alpha));
    case 1: return pst::wrap(at::sub(x, y, alpha));
    case 2: return pst::wrap(at::mul(x, y));
    case 3: return pst::wrap(at::div(x, y));
    case 4: return pst::wrap(at::matmul(x, y));
    case 5: return pst::wrap(at::pow(x, y));
    case 6: return pst::wrap(at::eq(x, y));
    case 7: return pst::wrap(at::ne(x, y));
    case 8: return pst::wrap(at::lt(x, y));
    case 9: return pst::wrap(at::gt(x, y));
    case 10: return pst::wrap(at::le(x, y));
    case 11: return pst::wrap(at::ge(x, y));
    case 12: return pst::wrap(at::maximum(x, y));
    case 13: return pst::wrap(at::minimum(x, y));
    default: TORCH_CHECK(false, "unknown binary op ", op);
    }
    PST_CATCH_RETURN(nullptr)
}

PST_API TensorPtr PST_op_scalar(int32_t op, TensorPtr a, double s) {
    PST_TRY
    const auto& x = *a;
    const auto v = pst::scalar_for(x, s);
    switch (op) {
    case 0: return pst::wrap(at::add(x, v));
    case 1: return pst::wrap(at::sub(x, v));
    case 2: return pst::wrap(at::mul(x, v));
    case 3: return pst::wrap(at::div(x, v));
    case 4: return pst::wrap(at::pow(x, v));
    case 5: return pst::wrap(at::rsub(x, v));
    case 6: return pst::wrap(at::eq(x, v));
    case 7: return pst::wrap(at::lt(x, v));
    case 8: return pst::wrap(at::gt(x, v));
    case 9: return pst::wrap(at::clamp_min(x, v));
    case 10: return pst::wrap(at::clamp_max(x, v));
    case 11: return pst::wrap(at::mul(at::reciprocal(x), s));
    default: TORCH_CHECK(false, "unknown scalar op ", op);
    }
    PST_CATCH_RETURN(nullptr)
}

// dims == nullptr / ndims == 0 reduces over every element.
PST_API TensorPtr PST_op_reduce(int32_t op, TensorPtr a, const int64_t* dims, int32_t ndims, uint8_t keepdim) {
    PST_TRY
    const auto& x = *a;
    const bool all = ndims == 0;
    const auto d = pst::dims(dims, ndims);
    const bool keep = keepdim != 0;
    switch (op) {
    case 0: return pst::wrap(all ? at::sum(x) : at::sum(x, d, keep));
    case 1: return pst::wrap(all ? at::mean(x) : at::mean(x, d, keep));
    case 2: return pst::wrap(all ? at::max(x) : std::get<0>(at::max(x, d[0], keep)));
    case 3: return pst::wrap(all ? at::min(x) : std::get<0>(at::min(x, d[0], keep)));
    case 4: return pst::wrap(all ? at::argmax(x) : at::argmax(x, d[0], keep));
    case 5: return pst::wrap(all ? at::argmin(x) : at::argmin(x, d[0], keep));
    case 6: return pst::wrap(all ? at::var(x) : at::var(x, d, true, keep));
    case 7: return pst::wrap(all ? at::std(x) : at::std(x, d, true, keep));
    case 8: return pst::wrap(all ? at::norm(x) : at::norm(x, 2, d, keep));
    default: TORCH_CHECK(false, "unknown reduction ", op);
    }
    PST_CATCH_RETURN(nullptr)
}

PST_API TensorPtr PST_op_reshape(TensorPtr a, const int64_t* shape, int32_t ndim) { PST_TENSOR(a->reshape(pst::dims(shape, ndim))) }
PST_API TensorPtr PST_op_expand(TensorPtr a, const int64_t* shape, int32_t ndim) { PST_TENSOR(a->expand(pst::dims(shape, ndim))) }
PST_API TensorPtr PST_op_permute(TensorPtr a, const int64_t* dims, int32_t ndim) { PST_TENSOR(a->permute(pst::dims(dims, ndim))) }
PST_API TensorPtr PST_op_flatten(TensorPtr a, int64_t start, int64_t end) { PST_TENSOR(at::flatten(*a, start, end)) }
PST_API TensorPtr PST_op_transpose(TensorPtr a, int64_t d0, int64_t d1) { PST_TENSOR(a->transpose(d0, d1)) }
PST_API TensorPtr PST_op_squeeze(TensorPtr a, int64_t dim) { PST_TENSOR(a->squeeze(dim)) }
PST_API TensorPtr PST_op_unsqueeze(TensorPtr a, int64_t dim) { PST_TENSOR(a->unsqueeze(dim)) }
PST_API TensorPtr PST_op_narrow(TensorPtr a, int64_t dim, int64_t start, int64_t length) { PST_TENSOR(a->narrow(dim, start, length)) }
PST_API TensorPtr PST_op_select(TensorPtr a, int64_t dim, int64_t index) { PST_TENSOR(a->select(dim, index)) }
PST_API TensorPtr PST_op_index_select(TensorPtr a, int64_t dim, TensorPtr index) { PST_TENSOR(at::index_select(*a, dim, *index)) }
PST_API TensorPtr PST_op_cat(TensorPtr* ts, int32_t n, int64_t dim) { PST_TENSOR(at::cat(unpack(ts, n), dim)) }
PST_API TensorPtr PST_op_stack(TensorPtr* ts, int32_t n, int64_t dim) { PST_TENSOR(at::stack(unpack(ts, n), dim)) }
PST_API TensorPtr PST_op_where(TensorPtr cond, TensorPtr a, TensorPtr b) { PST_TENSOR(at::where(*cond, *a, *b)) }
PST_API TensorPtr PST_op_clamp(TensorPtr a, double lo, double hi) { PST_TENSOR(at::clamp(*a, lo, hi)) }
PST_API TensorPtr PST_op_softmax(TensorPtr a, int64_t dim, uint8_t log) { PST_TENSOR(log ? at::log_softmax(*a, dim) : at::softmax(*a, dim)) }
PST_API TensorPtr PST_op_one_hot(TensorPtr a, int64_t classes) { PST_TENSOR(at::one_hot(*a, classes)) }

// ---- in-place, for optimisers and initialisers; never recorded by autograd -------------------

// op: 0 add_(b, alpha) 1 mul_(b) 2 div_(b) 3 copy_(b) 4 maximum (a = max(a, b)) 5 lerp_(b, alpha)
PST_API int32_t PST_inplace_binary(int32_t op, TensorPtr a, TensorPtr b, double alpha) {
    PST_TRY
    at::NoGradGuard no_grad;
    switch (op) {
    case 0: a->add_(*b, alpha); break;
    case 1: a->mul_(*b); break;
    case 2: a->div_(*b); break;
    case 3: a->copy_(*b); break;
    case 4: at::maximum_out(*a, *a, *b); break;
    case 5: a->lerp_(*b, alpha); break;
    default: TORCH_CHECK(false, "unknown in-place op ", op);
    }
    return 0;
    PST_CATCH_RETURN(-1)
}

// op: 0 add_(s) 1 mul_(s) 2 fill_(s) 3 zero_ 4 sqrt_ 5 uniform_(s, s2) 6 normal_(s, s2) 7 clamp_(s, s2)
PST_API int32_t PST_inplace_scalar(int32_t op, TensorPtr a, double s, double s2) {
    PST_TRY
    at::NoGradGuard no_grad;
    const auto v = pst::scalar_for(*a, s);
    switch (op) {
    case 0: a->add_(v); break;
    case 1: a->mul_(v); break;
    case 2: a->fill_(v); break;
    case 3: a->zero_(); break;
    case 4: a->sqrt_(); break;
    case 5: a->uniform_(s, s2); break;
    case 6: a->normal_(s, s2); break;
    case 7: a->clamp_(s, s2); break;
    default: TORCH_CHECK(false, "unknown in-place scalar op ", op);
    }
    return 0;
    PST_CATCH_RETURN(-1)
}

// op: 0 addcmul_(b, c, value) 1 addcdiv_(b, c, value)
PST_API int32_t PST_inplace_ternary(int32_t op, TensorPtr a, TensorPtr b, TensorPtr c, double value) {
    PST_TRY
    at::NoGradGuard no_grad;
    switch (op) {
    case 0: a->addcmul_(*b, *c, value); break;
    case 1: a->addcdiv_(*b, *c, value); break;
    default: TORCH_CHECK(false, "unknown ternary op ", op);
    }
    return 0;
    PST_CATCH_RETURN(-1)
}
