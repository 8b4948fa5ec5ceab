// The counting allocator: the C allocation functions are defined here and forward to glibc's
// own (__libc_malloc and friends), adding or subtracting each block's usable size to one
// counter. glibc supports replacing malloc this way (ELF symbol interposition: the program's
// definitions win for every library, libstdc++ and OpenSSL included), which is how
// jemalloc and tcmalloc are dropped in too. One relaxed atomic add per allocation is the
// whole cost; reading the total is a load.
//
// Not built under AddressSanitizer, whose allocator must own these symbols.
#include "store/malloc_counter.h"

#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)

namespace cachet::store {
size_t counted_allocated_bytes() { return 0; }
}  // namespace cachet::store

#else

extern "C" {
void* __libc_malloc(size_t size) noexcept;
void* __libc_calloc(size_t n, size_t size) noexcept;
void* __libc_realloc(void* p, size_t size) noexcept;
void* __libc_memalign(size_t alignment, size_t size) noexcept;
void __libc_free(void* p) noexcept;
}

namespace {
// Signed: a block freed here that some path allocated without passing through these
// functions would otherwise wrap the total around.
std::atomic<int64_t> g_allocated{0};

inline void count_alloc(void* p) {
  if (p != nullptr) {
    g_allocated.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
}
inline void count_free(void* p) {
  if (p != nullptr) {
    g_allocated.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
}
size_t page_size() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }
}  // namespace

namespace cachet::store {
size_t counted_allocated_bytes() {
  int64_t n = g_allocated.load(std::memory_order_relaxed);
  return n > 0 ? static_cast<size_t>(n) : 0;
}
}  // namespace cachet::store

extern "C" {

void* malloc(size_t size) noexcept {
  void* p = __libc_malloc(size);
  count_alloc(p);
  return p;
}

void free(void* p) noexcept {
  count_free(p);
  __libc_free(p);
}

void* calloc(size_t n, size_t size) noexcept {
  void* p = __libc_calloc(n, size);
  count_alloc(p);
  return p;
}

void* realloc(void* old, size_t size) noexcept {
  size_t old_size = old != nullptr ? malloc_usable_size(old) : 0;
  void* p = __libc_realloc(old, size);
  if (p == nullptr) {
    // realloc(p, 0) may free p and return null; a failed realloc keeps p.
    if (old != nullptr && size == 0) {
      g_allocated.fetch_sub(static_cast<int64_t>(old_size), std::memory_order_relaxed);
    }
    return nullptr;
  }
  int64_t grown = static_cast<int64_t>(malloc_usable_size(p)) - static_cast<int64_t>(old_size);
  g_allocated.fetch_add(grown, std::memory_order_relaxed);
  return p;
}

void* reallocarray(void* old, size_t n, size_t size) noexcept {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(old, total);
}

void* memalign(size_t alignment, size_t size) noexcept {
  void* p = __libc_memalign(alignment, size);
  count_alloc(p);
  return p;
}

void* aligned_alloc(size_t alignment, size_t size) noexcept { return memalign(alignment, size); }

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) noexcept { return memalign(page_size(), size); }

void* pvalloc(size_t size) noexcept {
  size_t page = page_size();
  return memalign(page, (size + page - 1) & ~(page - 1));
}

}  // extern "C"

#endif
