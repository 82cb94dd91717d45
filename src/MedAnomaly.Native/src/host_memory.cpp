// Host-memory policy for training loops (glibc malloc), applied when the shim is loaded.
//
// A training step allocates and frees the same few hundred megabytes of activations and gradients
// every step (libtorch's CPU allocator is plain posix_memalign/free, with no cache). With glibc's
// defaults, blocks above a moving threshold come from fresh mmap()s, and the top of the heap is given
// back to the kernel whenever twice that threshold lies free there. The next step then page-faults
// the same memory back in (tens of thousands of faults a step for the reference UNet), and the
// heap's shape, and with it the resident set, drifts from step to step.
//
// So, like PyTorch's CUDA caching allocator does for GPU memory, we keep what a step freed for the
// next one: blocks up to the largest mmap threshold glibc allows are served from the heap, and the
// heap is not trimmed on its own (unless 2 GB lie free at its top). The resident set then settles at
// the peak of one step and stays there (the `unet` benchmark: ~24 faults a step instead of ~22,500).
// `mat_host_memory_release()` (torch.release_host_memory() in C#) gives the free memory back on
// demand. MEDANOMALY_MALLOC=system leaves glibc's defaults untouched.
#include "shim.h"
#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

constexpr int kMaxMmapThreshold = 32 * 1024 * 1024;  // glibc's upper bound on 64-bit (HEAP_MAX/2)
constexpr int kTopPad = 64 * 1024 * 1024;            // grow the heap in large steps

bool g_policy_applied = false;

__attribute__((constructor)) void apply_host_memory_policy() {
#if defined(__GLIBC__)
  const char* choice = std::getenv("MEDANOMALY_MALLOC");
  if (choice && std::strcmp(choice, "system") == 0) return;
  g_policy_applied = mallopt(M_MMAP_THRESHOLD, kMaxMmapThreshold) == 1 &&
                     mallopt(M_TRIM_THRESHOLD, INT32_MAX) == 1 &&  // trim only past 2 GB free
                     mallopt(M_TOP_PAD, kTopPad) == 1;
#endif
}

}  // namespace

// 1 when the training-loop policy above is in effect, 0 with glibc's defaults (or another libc).
MAT_API int32_t mat_host_memory_policy_applied() { return g_policy_applied ? 1 : 0; }

// Returns the heap's free pages to the kernel (malloc_trim); 1 if any memory was released.
MAT_API int32_t mat_host_memory_release() {
#if defined(__GLIBC__)
  return malloc_trim(0);
#else
  return 0;
#endif
}
