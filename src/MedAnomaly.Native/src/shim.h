// Common plumbing for the extern "C" shim over libtorch.
//
// Every exported function catches every C++ exception and stores libtorch's message in a thread-local
// "last error"; it then returns a failure value (nullptr for handles, -1 for counts/status). The C#
// side checks the return value and throws TorchException with that message, so a bad shape or dtype
// never takes the process down.
#pragma once
#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <cstdint>
#include <string>
#include <vector>

#define MAT_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* TH;      // an owned heap-allocated at::Tensor (a refcounted handle)
typedef at::Generator* GH;   // an owned generator

void mat_set_error(const char* message);
void mat_note_created();     // live-tensor accounting (leak tests)
void mat_note_freed();

// Wraps a result tensor in a new owned handle.
inline TH mat_wrap(at::Tensor t) {
  mat_note_created();
  return new at::Tensor(std::move(t));
}

inline at::IntArrayRef mat_dims(const int64_t* values, int32_t count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline c10::optional<at::Tensor> mat_optional(TH t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}

inline std::vector<at::Tensor> mat_list(TH* handles, int32_t count) {
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (int32_t i = 0; i < count; ++i) list.push_back(*handles[i]);
  return list;
}

// A Scalar passed from C# as (double, int64, is_integral).
inline at::Scalar mat_scalar(double d, int64_t i, int32_t is_integral) {
  if (is_integral == 2) return at::Scalar(i != 0);
  return is_integral ? at::Scalar(i) : at::Scalar(d);
}

c10::optional<at::Generator> mat_generator(GH g);

#define MAT_TRY try {
#define MAT_CATCH(failure)                                               \
  }                                                                      \
  catch (const c10::Error& e) {                                          \
    mat_set_error(e.what_without_backtrace());                           \
    return failure;                                                      \
  }                                                                      \
  catch (const std::exception& e) {                                      \
    mat_set_error(e.what());                                             \
    return failure;                                                      \
  }                                                                      \
  catch (...) {                                                          \
    mat_set_error("unknown C++ exception in libtorch");                  \
    return failure;                                                      \
  }

// Body returning a new tensor handle, or nullptr on error.
#define MAT_TENSOR(expr) MAT_TRY return mat_wrap(expr); MAT_CATCH(nullptr)
// Body returning 0 on success, -1 on error.
#define MAT_STATUS(stmt) MAT_TRY stmt; return 0; MAT_CATCH(-1)
