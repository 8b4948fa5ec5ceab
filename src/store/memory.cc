#include "store/memory.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "store/malloc_counter.h"

#if defined(__SANITIZE_ADDRESS__)
// Declared here because GCC does not ship the sanitizer interface headers; libasan has it.
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace cachet::store {
namespace {
size_t g_peak = 0;
size_t g_limit = 0;
}  // namespace

size_t allocated_bytes() {
#if defined(__SANITIZE_ADDRESS__)
  // ASan replaces malloc, so the counting allocator is not in the path; ask the sanitizer.
  return __sanitizer_get_current_allocated_bytes();
#else
  return counted_allocated_bytes();
#endif
}

size_t peak_allocated_bytes() { return g_peak; }

void note_peak() {
  size_t now = allocated_bytes();
  if (now > g_peak) g_peak = now;
}

void set_memory_limit(size_t bytes) { g_limit = bytes; }
size_t memory_limit() { return g_limit; }

bool would_exceed_limit(size_t more) {
  return g_limit != 0 && allocated_bytes() + more > g_limit;
}

size_t resident_set_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

size_t peak_resident_set_bytes() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<size_t>(ru.ru_maxrss) * 1024;
}

}  // namespace cachet::store
