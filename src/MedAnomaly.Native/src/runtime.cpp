// Autograd, grad mode, threads, seeding and CUDA queries.
#include "shim.h"
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

MAT_API int32_t mat_backward(TH loss, TH grad, int32_t retain_graph) {
  MAT_TRY
  std::vector<at::Tensor> grads;
  if (grad) grads.push_back(*grad);
  torch::autograd::backward({*loss}, grads, retain_graph ? c10::optional<bool>(true) : c10::nullopt, false);
  return 0;
  MAT_CATCH(-1)
}
// The accumulated gradient, or null (with no error set) when there is none.
MAT_API TH mat_grad(TH t) {
  MAT_TRY
  auto g = t->grad();
  return g.defined() ? mat_wrap(g) : nullptr;
  MAT_CATCH(nullptr)
}
MAT_API int32_t mat_has_grad(TH t) { return t->grad().defined() ? 1 : 0; }
// Drops the gradient (PyTorch's zero_grad(set_to_none=True)).
MAT_API int32_t mat_clear_grad(TH t) { MAT_STATUS(t->mutable_grad().reset()) }

MAT_API int32_t mat_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
MAT_API void mat_set_grad_enabled(int32_t enabled) { at::GradMode::set_enabled(enabled != 0); }

MAT_API void mat_set_num_threads(int32_t n) { at::set_num_threads(n); }
MAT_API int32_t mat_get_num_threads() { return at::get_num_threads(); }
MAT_API void mat_manual_seed(uint64_t seed) { torch::manual_seed(seed); }

MAT_API int32_t mat_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
MAT_API int32_t mat_cuda_device_count() { return static_cast<int32_t>(torch::cuda::device_count()); }
MAT_API void mat_cuda_synchronize() {
  try { if (torch::cuda::is_available()) torch::cuda::synchronize(); } catch (...) {}
}

MAT_API int32_t mat_version_major() { return TORCH_VERSION_MAJOR; }
MAT_API int32_t mat_version_minor() { return TORCH_VERSION_MINOR; }

// Replaces the data of `t` with `data` (PyTorch's `param.data = ...`), keeping the same tensor object:
// modules move parameters between devices and dtypes this way without replacing their fields.
MAT_API int32_t mat_set_data(TH t, TH data) { MAT_STATUS(t->set_data(*data)) }
