// Tensor lifecycle, metadata, creation, data access and conversion.
#include "shim.h"
#include <ATen/CPUGeneratorImpl.h>
#include <sstream>

char* mat_strdup(const std::string& s);

namespace {
// at:: factories ignore TensorOptions::requires_grad (only torch:: ones honour it), so callers pass the
// flag to leaf() instead.
at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index, bool /*requires_grad*/) {
  auto device = at::Device(static_cast<at::DeviceType>(device_type),
                           static_cast<c10::DeviceIndex>(device_index));
  return at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(device);
}

// A new leaf tensor, with requires_grad set when asked.
TH leaf(at::Tensor t, int32_t requires_grad) {
  if (requires_grad) t.requires_grad_(true);
  return mat_wrap(std::move(t));
}

// Random tensors are drawn on the CPU when a generator is given, then moved: the same seed gives the
// same numbers whatever the device.
at::Tensor to_device(at::Tensor t, int32_t device_type, int32_t device_index, bool requires_grad) {
  if (device_type != static_cast<int32_t>(at::kCPU))
    t = t.to(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
  if (requires_grad) t.requires_grad_(true);
  return t;
}
}  // namespace

c10::optional<at::Generator> mat_generator(GH g) {
  return g ? c10::optional<at::Generator>(*g) : c10::nullopt;
}

// ---- lifecycle ----
MAT_API void mat_free(TH t) {
  if (!t) return;
  delete t;
  mat_note_freed();
}
MAT_API TH mat_alias(TH t) { MAT_TENSOR(*t) }  // a second handle to the same tensor

// ---- metadata ----
MAT_API int32_t mat_dim(TH t) { return static_cast<int32_t>(t->dim()); }
MAT_API int64_t mat_numel(TH t) { return t->numel(); }
MAT_API void mat_shape(TH t, int64_t* out) {
  for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->size(i);
}
MAT_API void mat_strides(TH t, int64_t* out) {
  for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->stride(i);
}
MAT_API int32_t mat_dtype(TH t) { return static_cast<int32_t>(t->scalar_type()); }
MAT_API int32_t mat_device_type(TH t) { return static_cast<int32_t>(t->device().type()); }
MAT_API int32_t mat_device_index(TH t) { return t->device().index(); }
MAT_API int32_t mat_is_contiguous(TH t) { return t->is_contiguous() ? 1 : 0; }
MAT_API int32_t mat_requires_grad(TH t) { return t->requires_grad() ? 1 : 0; }
MAT_API int32_t mat_set_requires_grad(TH t, int32_t value) { MAT_STATUS(t->requires_grad_(value != 0)) }
MAT_API int32_t mat_is_leaf(TH t) { return t->is_leaf() ? 1 : 0; }
MAT_API int64_t mat_element_size(TH t) { return static_cast<int64_t>(t->element_size()); }

// ---- creation ----
MAT_API TH mat_empty(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY return leaf(at::empty(mat_dims(shape, ndim), options(dtype, dev, idx, rg)), rg); MAT_CATCH(nullptr)
}
MAT_API TH mat_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY return leaf(at::zeros(mat_dims(shape, ndim), options(dtype, dev, idx, rg)), rg); MAT_CATCH(nullptr)
}
MAT_API TH mat_ones(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY return leaf(at::ones(mat_dims(shape, ndim), options(dtype, dev, idx, rg)), rg); MAT_CATCH(nullptr)
}
MAT_API TH mat_full(const int64_t* shape, int32_t ndim, double d, int64_t i, int32_t integral, int32_t dtype,
                    int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY return leaf(at::full(mat_dims(shape, ndim), mat_scalar(d, i, integral), options(dtype, dev, idx, rg)), rg); MAT_CATCH(nullptr)
}
MAT_API TH mat_arange(double start, double end, double step, int32_t dtype, int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY return leaf(at::arange(start, end, step, options(dtype, dev, idx, rg)), rg); MAT_CATCH(nullptr)
}
MAT_API TH mat_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY return leaf(at::linspace(start, end, steps, options(dtype, dev, idx, rg)), rg); MAT_CATCH(nullptr)
}
MAT_API TH mat_rand(const int64_t* shape, int32_t ndim, GH g, int32_t dtype, int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY
  if (!g) return leaf(at::rand(mat_dims(shape, ndim), options(dtype, dev, idx, rg)), rg);
  return mat_wrap(to_device(at::rand(mat_dims(shape, ndim), *g, options(dtype, 0, -1, false)), dev, idx, rg));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_randn(const int64_t* shape, int32_t ndim, GH g, int32_t dtype, int32_t dev, int32_t idx, int32_t rg) {
  MAT_TRY
  if (!g) return leaf(at::randn(mat_dims(shape, ndim), options(dtype, dev, idx, rg)), rg);
  return mat_wrap(to_device(at::randn(mat_dims(shape, ndim), *g, options(dtype, 0, -1, false)), dev, idx, rg));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, GH g, int32_t dtype,
                       int32_t dev, int32_t idx) {
  MAT_TRY
  if (!g) return mat_wrap(at::randint(low, high, mat_dims(shape, ndim), options(dtype, dev, idx, false)));
  return mat_wrap(to_device(at::randint(low, high, mat_dims(shape, ndim), *g, options(dtype, 0, -1, false)), dev, idx, false));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_randperm(int64_t n, GH g, int32_t dev, int32_t idx) {
  MAT_TRY
  auto cpu = g ? at::randperm(n, *g, at::TensorOptions().dtype(at::kLong)) : at::randperm(n, at::TensorOptions().dtype(at::kLong));
  return mat_wrap(to_device(cpu, dev, idx, false));
  MAT_CATCH(nullptr)
}

// In-place random fills (parameter initialisation), drawn from generator g (or the default one).
MAT_API int32_t mat_uniform_(TH t, double from, double to, GH g) { MAT_STATUS(t->uniform_(from, to, mat_generator(g))) }
MAT_API int32_t mat_normal_(TH t, double mean, double std, GH g) { MAT_STATUS(t->normal_(mean, std, mat_generator(g))) }
MAT_API TH mat_bernoulli(TH p, GH g) { MAT_TENSOR(at::bernoulli(*p, mat_generator(g))) }

// ---- data ----
// Copies `nbytes` from `data` into a new CPU tensor of the given dtype and shape.
MAT_API TH mat_from_buffer(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype) {
  MAT_TRY
  auto t = at::empty(mat_dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
  std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
  return mat_wrap(t);
  MAT_CATCH(nullptr)
}

// Wraps memory owned by C# (pinned) without copying; `release(context)` is called when libtorch
// drops its last reference.
typedef void (*mat_release_fn)(void* context);
MAT_API TH mat_from_blob(void* data, const int64_t* shape, int32_t ndim, int32_t dtype, mat_release_fn release,
                         void* context) {
  MAT_TRY
  auto deleter = [release, context](void*) { release(context); };
  return mat_wrap(at::from_blob(data, mat_dims(shape, ndim), deleter,
                                at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype))));
  MAT_CATCH(nullptr)
}

// Pointer to the first element of a CPU tensor (for zero-copy spans); null with an error otherwise.
MAT_API void* mat_data_ptr(TH t) {
  MAT_TRY
  TORCH_CHECK(t->device().is_cpu(), "data access needs a CPU tensor, got one on ", t->device());
  return t->data_ptr();
  MAT_CATCH(nullptr)
}

MAT_API int32_t mat_item_double(TH t, double* out) { MAT_STATUS(*out = t->item().toDouble()) }
MAT_API int32_t mat_item_long(TH t, int64_t* out) { MAT_STATUS(*out = t->item().toLong()) }

MAT_API char* mat_to_string(TH t) {
  MAT_TRY
  std::ostringstream os;
  os << *t;
  return mat_strdup(os.str());
  MAT_CATCH(nullptr)
}

// ---- conversion ----
MAT_API TH mat_to(TH t, int32_t dtype, int32_t dev, int32_t idx, int32_t copy) {
  MAT_TRY
  auto device = at::Device(static_cast<at::DeviceType>(dev), static_cast<c10::DeviceIndex>(idx));
  return mat_wrap(t->to(device, static_cast<at::ScalarType>(dtype), /*non_blocking=*/false, copy != 0));
  MAT_CATCH(nullptr)
}
MAT_API TH mat_clone(TH t) { MAT_TENSOR(t->clone()) }
MAT_API TH mat_detach(TH t) { MAT_TENSOR(t->detach()) }
MAT_API TH mat_contiguous(TH t) { MAT_TENSOR(t->contiguous()) }

// ---- generators ----
MAT_API GH mat_generator_new(uint64_t seed) {
  MAT_TRY
  return new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));
  MAT_CATCH(nullptr)
}
MAT_API void mat_generator_free(GH g) { delete g; }
MAT_API int32_t mat_generator_seed(GH g, uint64_t seed) {
  MAT_TRY
  std::lock_guard<std::mutex> lock(g->mutex());
  g->set_current_seed(seed);
  return 0;
  MAT_CATCH(-1)
}
