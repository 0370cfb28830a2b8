// torch.nn.functional: layers, pooling, normalisation, dropout and losses.
#include "pst.h"

namespace {
c10::optional<at::Tensor> optional(TensorPtr t) {
    return t != nullptr ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}
}  // namespace

PST_API TensorPtr PST_nn_linear(TensorPtr x, TensorPtr w, TensorPtr b) { PST_TENSOR(at::linear(*x, *w, optional(b))) }

// stride, padding and dilation are (h, w) pairs.
PST_API TensorPtr PST_nn_conv2d(TensorPtr x, TensorPtr w, TensorPtr b, const int64_t* stride, const int64_t* padding,
                                const int64_t* dilation, int64_t groups) {
    PST_TENSOR(at::conv2d(*x, *w, optional(b), pst::dims(stride, 2), pst::dims(padding, 2), pst::dims(dilation, 2), groups))
}

PST_API TensorPtr PST_nn_conv_transpose2d(TensorPtr x, TensorPtr w, TensorPtr b, const int64_t* stride, const int64_t* padding,
                                          const int64_t* output_padding, const int64_t* dilation, int64_t groups) {
    PST_TENSOR(at::conv_transpose2d(*x, *w, optional(b), pst::dims(stride, 2), pst::dims(padding, 2),
                                    pst::dims(output_padding, 2), groups, pst::dims(dilation, 2)))
}

// running_mean / running_var may be null (no tracked statistics); in training they are updated in place.
PST_API TensorPtr PST_nn_batch_norm(TensorPtr x, TensorPtr weight, TensorPtr bias, TensorPtr running_mean, TensorPtr running_var,
                                    uint8_t training, double momentum, double eps) {
    PST_TENSOR(at::batch_norm(*x, optional(weight), optional(bias), optional(running_mean), optional(running_var),
                              training != 0, momentum, eps, true))
}

PST_API TensorPtr PST_nn_max_pool2d(TensorPtr x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                    const int64_t* dilation, uint8_t ceil_mode) {
    PST_TENSOR(at::max_pool2d(*x, pst::dims(kernel, 2), pst::dims(stride, 2), pst::dims(padding, 2), pst::dims(dilation, 2),
                              ceil_mode != 0))
}

PST_API TensorPtr PST_nn_avg_pool2d(TensorPtr x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                    uint8_t ceil_mode, uint8_t count_include_pad) {
    PST_TENSOR(at::avg_pool2d(*x, pst::dims(kernel, 2), pst::dims(stride, 2), pst::dims(padding, 2), ceil_mode != 0,
                              count_include_pad != 0))
}

PST_API TensorPtr PST_nn_adaptive_avg_pool2d(TensorPtr x, const int64_t* output_size) {
    PST_TENSOR(at::adaptive_avg_pool2d(*x, pst::dims(output_size, 2)))
}

// mode: 0 = nearest, 1 = bilinear. Either an output size (h, w) or scale factors (sh, sw) is given.
PST_API TensorPtr PST_nn_upsample2d(TensorPtr x, int32_t mode, const int64_t* size, const double* scale, uint8_t align_corners) {
    PST_TRY
    c10::optional<at::IntArrayRef> out_size = size != nullptr ? c10::optional<at::IntArrayRef>(pst::dims(size, 2)) : c10::nullopt;
    c10::optional<at::ArrayRef<double>> scales =
        scale != nullptr ? c10::optional<at::ArrayRef<double>>(at::ArrayRef<double>(scale, 2)) : c10::nullopt;
    if (mode == 0) return pst::wrap(at::upsample_nearest2d(*x, out_size, scales));
    return pst::wrap(at::upsample_bilinear2d(*x, out_size, align_corners != 0, scales));
    PST_CATCH_RETURN(nullptr)
}

PST_API TensorPtr PST_nn_dropout(TensorPtr x, double p, uint8_t training) { PST_TENSOR(at::dropout(*x, p, training != 0)) }

// ---- losses (reduction: 0 none, 1 mean, 2 sum) ----------------------------------------------

PST_API TensorPtr PST_loss_mse(TensorPtr input, TensorPtr target, int32_t reduction) {
    PST_TENSOR(at::mse_loss(*input, *target, pst::reduction(reduction)))
}

PST_API TensorPtr PST_loss_cross_entropy(TensorPtr input, TensorPtr target, TensorPtr weight, int32_t reduction,
                                         int64_t ignore_index, double label_smoothing) {
    PST_TENSOR(at::cross_entropy_loss(*input, *target, optional(weight), pst::reduction(reduction), ignore_index, label_smoothing))
}

PST_API TensorPtr PST_loss_nll(TensorPtr input, TensorPtr target, TensorPtr weight, int32_t reduction, int64_t ignore_index) {
    PST_TENSOR(at::nll_loss(*input, *target, optional(weight), pst::reduction(reduction), ignore_index))
}

PST_API TensorPtr PST_loss_bce(TensorPtr input, TensorPtr target, TensorPtr weight, int32_t reduction) {
    PST_TENSOR(at::binary_cross_entropy(*input, *target, optional(weight), pst::reduction(reduction)))
}

PST_API TensorPtr PST_loss_bce_with_logits(TensorPtr input, TensorPtr target, TensorPtr weight, TensorPtr pos_weight, int32_t reduction) {
    PST_TENSOR(at::binary_cross_entropy_with_logits(*input, *target, optional(weight), optional(pos_weight), pst::reduction(reduction)))
}
