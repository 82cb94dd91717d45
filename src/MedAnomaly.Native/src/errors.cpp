// Thread-local last error and live-tensor accounting.
#include "shim.h"
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
std::atomic<int64_t> live_tensors{0};
}  // namespace

void mat_set_error(const char* message) {
  last_error = message ? message : "(no message)";
  has_error = true;
}
void mat_note_created() { live_tensors.fetch_add(1, std::memory_order_relaxed); }
void mat_note_freed() { live_tensors.fetch_sub(1, std::memory_order_relaxed); }

// Returns the message of the last failure on this thread (valid until the next failing call), or null.
MAT_API const char* mat_last_error() { return has_error ? last_error.c_str() : nullptr; }
MAT_API void mat_clear_error() { has_error = false; last_error.clear(); }
MAT_API int64_t mat_live_tensors() { return live_tensors.load(); }

// Strings returned to C# are malloc'ed; C# frees them with this.
MAT_API void mat_free_string(char* s) { std::free(s); }
char* mat_strdup(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}
