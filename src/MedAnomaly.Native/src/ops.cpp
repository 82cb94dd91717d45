// Element-wise arithmetic, comparisons, reductions, shape and indexing operations.
#include "shim.h"

#define UNARY(name, expr) MAT_API TH mat_##name(TH a) { MAT_TENSOR(expr) }
#define BINARY(name, expr) MAT_API TH mat_##name(TH a, TH b) { MAT_TENSOR(expr) }
#define BINARY_SCALAR(name, expr) \
  MAT_API TH mat_##name(TH a, double d, int64_t i, int32_t k) { auto s = mat_scalar(d, i, k); MAT_TENSOR(expr) }

// ---- unary ----
UNARY(neg, at::neg(*a))
UNARY(abs, at::abs(*a))
UNARY(exp, at::exp(*a))
UNARY(log, at::log(*a))
UNARY(log1p, at::log1p(*a))
UNARY(sqrt, at::sqrt(*a))
UNARY(rsqrt, at::rsqrt(*a))
UNARY(square, at::square(*a))
UNARY(reciprocal, at::reciprocal(*a))
UNARY(sin, at::sin(*a))
UNARY(cos, at::cos(*a))
UNARY(tanh, at::tanh(*a))
UNARY(sigmoid, at::sigmoid(*a))
UNARY(relu, at::relu(*a))
UNARY(silu, at::silu(*a))
UNARY(gelu, at::gelu(*a))
UNARY(erf, at::erf(*a))
UNARY(floor, at::floor(*a))
UNARY(ceil, at::ceil(*a))
UNARY(round, at::round(*a))
UNARY(sign, at::sign(*a))
UNARY(isnan, at::isnan(*a))
UNARY(isinf, at::isinf(*a))
UNARY(isfinite, at::isfinite(*a))
UNARY(logical_not, at::logical_not(*a))

// ---- binary (broadcasting) ----
MAT_API TH mat_add(TH a, TH b, double alpha) { MAT_TENSOR(at::add(*a, *b, alpha)) }
MAT_API TH mat_sub(TH a, TH b, double alpha) { MAT_TENSOR(at::sub(*a, *b, alpha)) }
BINARY(mul, at::mul(*a, *b))
BINARY(div, at::div(*a, *b))
BINARY(pow, at::pow(*a, *b))
BINARY(remainder, at::remainder(*a, *b))
BINARY(maximum, at::maximum(*a, *b))
BINARY(minimum, at::minimum(*a, *b))
BINARY(matmul, at::matmul(*a, *b))
BINARY(eq, at::eq(*a, *b))
BINARY(ne, at::ne(*a, *b))
BINARY(lt, at::lt(*a, *b))
BINARY(le, at::le(*a, *b))
BINARY(gt, at::gt(*a, *b))
BINARY(ge, at::ge(*a, *b))
BINARY(logical_and, at::logical_and(*a, *b))
BINARY(logical_or, at::logical_or(*a, *b))
BINARY(logical_xor, at::logical_xor(*a, *b))

// ---- tensor ∘ scalar ----
BINARY_SCALAR(add_scalar, at::add(*a, s))
BINARY_SCALAR(sub_scalar, at::sub(*a, s))
BINARY_SCALAR(rsub_scalar, at::rsub(*a, s))  // s - a
BINARY_SCALAR(mul_scalar, at::mul(*a, s))
BINARY_SCALAR(div_scalar, at::div(*a, s))
BINARY_SCALAR(rdiv_scalar, at::mul(at::reciprocal(*a), s))  // s / a
BINARY_SCALAR(pow_scalar, at::pow(*a, s))
BINARY_SCALAR(rpow_scalar, at::pow(s, *a))  // s ** a
BINARY_SCALAR(remainder_scalar, at::remainder(*a, s))
BINARY_SCALAR(eq_scalar, at::eq(*a, s))
BINARY_SCALAR(ne_scalar, at::ne(*a, s))
BINARY_SCALAR(lt_scalar, at::lt(*a, s))
BINARY_SCALAR(le_scalar, at::le(*a, s))
BINARY_SCALAR(gt_scalar, at::gt(*a, s))
BINARY_SCALAR(ge_scalar, at::ge(*a, s))
BINARY_SCALAR(leaky_relu, at::leaky_relu(*a, s))

MAT_API TH mat_where(TH cond, TH a, TH b) { MAT_TENSOR(at::where(*cond, *a, *b)) }
// Clamp with optional bounds: has_min/has_max select which apply.
MAT_API TH mat_clamp(TH a, int32_t has_min, double min, int32_t has_max, double max) {
  MAT_TENSOR(at::clamp(*a, has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                       has_max ? c10::optional<at::Scalar>(max) : c10::nullopt))
}
MAT_API TH mat_masked_fill(TH a, TH mask, double d, int64_t i, int32_t k) {
  MAT_TENSOR(at::masked_fill(*a, *mask, mat_scalar(d, i, k)))
}
MAT_API TH mat_lerp(TH a, TH end, TH weight) { MAT_TENSOR(at::lerp(*a, *end, *weight)) }

// ---- in-place (optimisers, initialisation; run under no_grad by the caller) ----
MAT_API int32_t mat_add_(TH a, TH b, double alpha) { MAT_STATUS(a->add_(*b, alpha)) }
MAT_API int32_t mat_add_scalar_(TH a, double d, int64_t i, int32_t k) { MAT_STATUS(a->add_(mat_scalar(d, i, k))) }
MAT_API int32_t mat_mul_(TH a, TH b) { MAT_STATUS(a->mul_(*b)) }
MAT_API int32_t mat_mul_scalar_(TH a, double d, int64_t i, int32_t k) { MAT_STATUS(a->mul_(mat_scalar(d, i, k))) }
MAT_API int32_t mat_div_(TH a, TH b) { MAT_STATUS(a->div_(*b)) }
MAT_API int32_t mat_div_scalar_(TH a, double d, int64_t i, int32_t k) { MAT_STATUS(a->div_(mat_scalar(d, i, k))) }
MAT_API int32_t mat_addcmul_(TH a, TH t1, TH t2, double value) { MAT_STATUS(a->addcmul_(*t1, *t2, value)) }
MAT_API int32_t mat_addcdiv_(TH a, TH t1, TH t2, double value) { MAT_STATUS(a->addcdiv_(*t1, *t2, value)) }
MAT_API int32_t mat_lerp_scalar_(TH a, TH end, double weight) { MAT_STATUS(a->lerp_(*end, weight)) }
MAT_API int32_t mat_copy_(TH a, TH src) { MAT_STATUS(a->copy_(*src)) }
MAT_API int32_t mat_zero_(TH a) { MAT_STATUS(a->zero_()) }
MAT_API int32_t mat_fill_(TH a, double d, int64_t i, int32_t k) { MAT_STATUS(a->fill_(mat_scalar(d, i, k))) }
MAT_API int32_t mat_clamp_(TH a, double min, double max) { MAT_STATUS(a->clamp_(min, max)) }
MAT_API int32_t mat_sqrt_(TH a) { MAT_STATUS(a->sqrt_()) }

// ---- reductions ----
// `dims` empty (ndims == 0) reduces over every dimension.
namespace {
std::vector<int64_t> all_dims_if_empty(TH a, const int64_t* dims, int32_t ndims) {
  std::vector<int64_t> out(dims, dims + ndims);
  if (ndims == 0)
    for (int64_t d = 0; d < a->dim(); ++d) out.push_back(d);
  return out;
}
}  // namespace

#define REDUCE_DIMS(name, expr)                                                        \
  MAT_API TH mat_##name(TH a, const int64_t* dims_ptr, int32_t ndims, int32_t keepdim) { \
    MAT_TRY auto dims = all_dims_if_empty(a, dims_ptr, ndims);                           \
    return mat_wrap(expr);                                                               \
    MAT_CATCH(nullptr)                                                                   \
  }
REDUCE_DIMS(sum, a->dim() == 0 ? a->sum() : at::sum(*a, dims, keepdim != 0))
REDUCE_DIMS(mean, a->dim() == 0 ? a->mean() : at::mean(*a, dims, keepdim != 0))
REDUCE_DIMS(amax, at::amax(*a, dims, keepdim != 0))
REDUCE_DIMS(amin, at::amin(*a, dims, keepdim != 0))

MAT_API TH mat_std(TH a, const int64_t* dims_ptr, int32_t ndims, int32_t unbiased, int32_t keepdim) {
  MAT_TRY auto dims = all_dims_if_empty(a, dims_ptr, ndims);
  return mat_wrap(at::std(*a, at::IntArrayRef(dims), unbiased != 0, keepdim != 0));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_var(TH a, const int64_t* dims_ptr, int32_t ndims, int32_t unbiased, int32_t keepdim) {
  MAT_TRY auto dims = all_dims_if_empty(a, dims_ptr, ndims);
  return mat_wrap(at::var(*a, at::IntArrayRef(dims), unbiased != 0, keepdim != 0));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_max_all(TH a) { MAT_TENSOR(a->max()) }
// Hands a (values, indices) result to the caller as two owned handles.
static void write_values_indices(std::tuple<at::Tensor, at::Tensor> result, TH* values, TH* indices) {
  *values = mat_wrap(std::move(std::get<0>(result)));
  *indices = mat_wrap(std::move(std::get<1>(result)));
}
// Maximum / minimum along one dim: writes the values and their indices (torch.max(x, dim) → (values, indices)).
MAT_API int32_t mat_max_dim(TH a, int64_t dim, int32_t keepdim, TH* values, TH* indices) {
  MAT_STATUS(write_values_indices(at::max(*a, dim, keepdim != 0), values, indices))
}
MAT_API int32_t mat_min_dim(TH a, int64_t dim, int32_t keepdim, TH* values, TH* indices) {
  MAT_STATUS(write_values_indices(at::min(*a, dim, keepdim != 0), values, indices))
}
MAT_API TH mat_min_all(TH a) { MAT_TENSOR(a->min()) }
// argmax over one dim, or over the flattened tensor when has_dim == 0.
MAT_API TH mat_argmax(TH a, int32_t has_dim, int64_t dim, int32_t keepdim) {
  MAT_TENSOR(at::argmax(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
MAT_API TH mat_argmin(TH a, int32_t has_dim, int64_t dim, int32_t keepdim) {
  MAT_TENSOR(at::argmin(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
// Quantiles q (a 0-d or 1-d tensor) with linear interpolation, over one dim or the flattened tensor.
MAT_API TH mat_quantile(TH a, TH q, int32_t has_dim, int64_t dim, int32_t keepdim) {
  MAT_TENSOR(at::quantile(*a, *q, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0, "linear"))
}
MAT_API TH mat_norm(TH a, double p) { MAT_TENSOR(at::norm(*a, p)) }
MAT_API TH mat_cumsum(TH a, int64_t dim) { MAT_TENSOR(at::cumsum(*a, dim)) }
MAT_API TH mat_all(TH a) { MAT_TENSOR(at::all(*a)) }
MAT_API TH mat_any(TH a) { MAT_TENSOR(at::any(*a)) }

// ---- shape ----
MAT_API TH mat_reshape(TH a, const int64_t* shape, int32_t n) { MAT_TENSOR(a->reshape(mat_dims(shape, n))) }
MAT_API TH mat_view(TH a, const int64_t* shape, int32_t n) { MAT_TENSOR(a->view(mat_dims(shape, n))) }
MAT_API TH mat_expand(TH a, const int64_t* shape, int32_t n) { MAT_TENSOR(a->expand(mat_dims(shape, n))) }
MAT_API TH mat_repeat(TH a, const int64_t* reps, int32_t n) { MAT_TENSOR(a->repeat(mat_dims(reps, n))) }
MAT_API TH mat_permute(TH a, const int64_t* dims, int32_t n) { MAT_TENSOR(a->permute(mat_dims(dims, n))) }
MAT_API TH mat_flip(TH a, const int64_t* dims, int32_t n) { MAT_TENSOR(a->flip(mat_dims(dims, n))) }
MAT_API TH mat_transpose(TH a, int64_t d0, int64_t d1) { MAT_TENSOR(a->transpose(d0, d1)) }
MAT_API TH mat_unsqueeze(TH a, int64_t dim) { MAT_TENSOR(a->unsqueeze(dim)) }
MAT_API TH mat_squeeze(TH a, int32_t has_dim, int64_t dim) { MAT_TENSOR(has_dim ? a->squeeze(dim) : a->squeeze()) }
MAT_API TH mat_flatten(TH a, int64_t start, int64_t end) { MAT_TENSOR(a->flatten(start, end)) }
MAT_API TH mat_narrow(TH a, int64_t dim, int64_t start, int64_t length) { MAT_TENSOR(a->narrow(dim, start, length)) }
MAT_API TH mat_slice(TH a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  MAT_TENSOR(a->slice(dim, start, end, step))
}
MAT_API TH mat_select(TH a, int64_t dim, int64_t index) { MAT_TENSOR(a->select(dim, index)) }
MAT_API TH mat_index_select(TH a, int64_t dim, TH index) { MAT_TENSOR(a->index_select(dim, *index)) }
MAT_API TH mat_gather(TH a, int64_t dim, TH index) { MAT_TENSOR(a->gather(dim, *index)) }
MAT_API TH mat_masked_select(TH a, TH mask) { MAT_TENSOR(a->masked_select(*mask)) }
MAT_API TH mat_cat(TH* list, int32_t n, int64_t dim) { MAT_TENSOR(at::cat(mat_list(list, n), dim)) }
MAT_API TH mat_stack(TH* list, int32_t n, int64_t dim) { MAT_TENSOR(at::stack(mat_list(list, n), dim)) }
// Splits into at most `chunks` pieces; writes up to `capacity` handles to `out`, returns the count.
MAT_API int32_t mat_chunk(TH a, int64_t chunks, int64_t dim, TH* out, int32_t capacity) {
  MAT_TRY
  auto parts = a->chunk(chunks, dim);
  TORCH_CHECK(static_cast<int32_t>(parts.size()) <= capacity, "chunk: more parts than expected");
  for (size_t i = 0; i < parts.size(); ++i) out[i] = mat_wrap(parts[i]);
  return static_cast<int32_t>(parts.size());
  MAT_CATCH(-1)
}
// Writes `value` into a at the positions selected along `dim` by `index` (a[index] = value along dim).
MAT_API int32_t mat_index_copy_(TH a, int64_t dim, TH index, TH source) { MAT_STATUS(a->index_copy_(dim, *index, *source)) }
