#include "store/memory.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#if defined(__SANITIZE_ADDRESS__)
// Declared here because GCC does not ship the sanitizer interface headers; libasan has it.
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace cachet::store {

size_t allocated_bytes() {
#if defined(__SANITIZE_ADDRESS__)
  // ASan replaces malloc, so glibc's statistics see nothing; ask the sanitizer's allocator.
  return __sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
#endif
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
