// Neural-network functional operations (torch.nn.functional).
#include "shim.h"
#include <torch/version.h>
#include <cmath>

MAT_API TH mat_conv2d(TH x, TH w, TH b, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
                      int64_t groups) {
  MAT_TENSOR(at::conv2d(*x, *w, mat_optional(b), mat_dims(stride, 2), mat_dims(padding, 2), mat_dims(dilation, 2), groups))
}
MAT_API TH mat_conv_transpose2d(TH x, TH w, TH b, const int64_t* stride, const int64_t* padding,
                                const int64_t* output_padding, const int64_t* dilation, int64_t groups) {
  MAT_TENSOR(at::conv_transpose2d(*x, *w, mat_optional(b), mat_dims(stride, 2), mat_dims(padding, 2),
                                  mat_dims(output_padding, 2), groups, mat_dims(dilation, 2)))
}
MAT_API TH mat_linear(TH x, TH w, TH b) { MAT_TENSOR(at::linear(*x, *w, mat_optional(b))) }
MAT_API TH mat_group_norm(TH x, int64_t groups, TH w, TH b, double eps) {
  MAT_TENSOR(at::group_norm(*x, groups, mat_optional(w), mat_optional(b), eps, /*cudnn_enabled=*/true))
}
MAT_API TH mat_layer_norm(TH x, const int64_t* shape, int32_t n, TH w, TH b, double eps) {
  MAT_TENSOR(at::layer_norm(*x, mat_dims(shape, n), mat_optional(w), mat_optional(b), eps, /*cudnn_enable=*/true))
}
MAT_API TH mat_batch_norm(TH x, TH w, TH b, TH running_mean, TH running_var, int32_t training, double momentum,
                          double eps) {
  MAT_TENSOR(at::batch_norm(*x, mat_optional(w), mat_optional(b), mat_optional(running_mean), mat_optional(running_var),
                            training != 0, momentum, eps, /*cudnn_enabled=*/true))
}
MAT_API TH mat_dropout(TH x, double p, int32_t training) { MAT_TENSOR(at::dropout(*x, p, training != 0)) }
MAT_API TH mat_softmax(TH x, int64_t dim) { MAT_TENSOR(at::softmax(*x, dim)) }
MAT_API TH mat_log_softmax(TH x, int64_t dim) { MAT_TENSOR(at::log_softmax(*x, dim)) }

// Resize [N,C,H,W] to (out_h, out_w). scale_h/scale_w > 0 are the user's scale factors, which PyTorch
// uses for the coordinate mapping when given (F.interpolate with scale_factor).
MAT_API TH mat_upsample_nearest2d(TH x, int64_t out_h, int64_t out_w, double scale_h, double scale_w) {
  MAT_TRY
  c10::optional<double> sh = scale_h > 0 ? c10::optional<double>(scale_h) : c10::nullopt;
  c10::optional<double> sw = scale_w > 0 ? c10::optional<double>(scale_w) : c10::nullopt;
  std::vector<int64_t> size{out_h, out_w};
  return mat_wrap(at::upsample_nearest2d(*x, size, sh, sw));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_upsample_bilinear2d(TH x, int64_t out_h, int64_t out_w, int32_t align_corners, double scale_h,
                                   double scale_w) {
  MAT_TRY
  c10::optional<double> sh = scale_h > 0 ? c10::optional<double>(scale_h) : c10::nullopt;
  c10::optional<double> sw = scale_w > 0 ? c10::optional<double>(scale_w) : c10::nullopt;
  std::vector<int64_t> size{out_h, out_w};
  return mat_wrap(at::upsample_bilinear2d(*x, size, align_corners != 0, sh, sw));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_adaptive_avg_pool2d(TH x, int64_t out_h, int64_t out_w) {
  MAT_TRY std::vector<int64_t> size{out_h, out_w};
  return mat_wrap(at::adaptive_avg_pool2d(*x, size));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_avg_pool2d(TH x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, int32_t ceil_mode,
                          int32_t count_include_pad) {
  MAT_TENSOR(at::avg_pool2d(*x, mat_dims(kernel, 2), mat_dims(stride, 2), mat_dims(padding, 2), ceil_mode != 0,
                            count_include_pad != 0))
}
MAT_API TH mat_max_pool2d(TH x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                          const int64_t* dilation, int32_t ceil_mode) {
  MAT_TENSOR(at::max_pool2d(*x, mat_dims(kernel, 2), mat_dims(stride, 2), mat_dims(padding, 2), mat_dims(dilation, 2),
                            ceil_mode != 0))
}
// Padding as in F.pad: pads lists (left, right, top, bottom, ...) from the last dim backwards.
// mode 0 constant, 1 reflect, 2 replicate.
MAT_API TH mat_pad(TH x, const int64_t* pads, int32_t n, int32_t mode, double value) {
  MAT_TRY
  auto p = mat_dims(pads, n);
  if (mode == 0) return mat_wrap(at::constant_pad_nd(*x, p, value));
  TORCH_CHECK(n == 4 && x->dim() >= 3, "pad: reflect/replicate modes need 4 pad values and a 3-D or 4-D input");
  if (mode == 1) return mat_wrap(at::reflection_pad2d(*x, p));
  if (mode == 2) return mat_wrap(at::replication_pad2d(*x, p));
  TORCH_CHECK(false, "pad: unknown mode ", mode);
  MAT_CATCH(nullptr)
}

// Scaled dot-product attention softmax(Q Kᵀ/√d + mask) V (Vaswani et al. 2017, eq. 1) on [..., L, d].
// libtorch ≥ 2.0 has a fused kernel; 1.13 gets the matmul + softmax composition.
MAT_API TH mat_scaled_dot_product_attention(TH q, TH k, TH v, TH mask, double dropout_p, int32_t is_causal) {
  MAT_TRY
#if TORCH_VERSION_MAJOR >= 2
  return mat_wrap(at::scaled_dot_product_attention(*q, *k, *v, mat_optional(mask), dropout_p, is_causal != 0));
#else
  auto scale = 1.0 / std::sqrt(static_cast<double>(q->size(-1)));
  auto scores = at::matmul(*q, k->transpose(-2, -1)) * scale;
  if (is_causal) {
    auto L = q->size(-2), S = k->size(-2);
    auto keep = at::ones({L, S}, q->options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
  }
  if (mask) scores = mask->scalar_type() == at::kBool
                         ? scores.masked_fill(mask->logical_not(), -std::numeric_limits<double>::infinity())
                         : scores + *mask;
  auto weights = at::softmax(scores, -1);
  if (dropout_p > 0) weights = at::dropout(weights, dropout_p, true);
  return mat_wrap(at::matmul(weights, *v));
#endif
  MAT_CATCH(nullptr)
}

// Losses; reduction 0 none, 1 mean, 2 sum (at::Reduction).
MAT_API TH mat_mse_loss(TH x, TH y, int32_t reduction) { MAT_TENSOR(at::mse_loss(*x, *y, reduction)) }
MAT_API TH mat_l1_loss(TH x, TH y, int32_t reduction) { MAT_TENSOR(at::l1_loss(*x, *y, reduction)) }
MAT_API TH mat_smooth_l1_loss(TH x, TH y, int32_t reduction, double beta) {
  MAT_TENSOR(at::smooth_l1_loss(*x, *y, reduction, beta))
}
MAT_API TH mat_bce_with_logits(TH x, TH y, TH weight, TH pos_weight, int32_t reduction) {
  MAT_TENSOR(at::binary_cross_entropy_with_logits(*x, *y, mat_optional(weight), mat_optional(pos_weight), reduction))
}
