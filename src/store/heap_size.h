#pragma once
// What a block really costs on the heap: the allocator's usable size, not the size asked
// for. MEMORY USAGE adds these up so its figures agree with used_memory, which counts the same.
#include <malloc.h>

#include <string>
#include <vector>

namespace cachet::store {

inline size_t block_bytes(const void* p) {
  return p == nullptr ? 0 : malloc_usable_size(const_cast<void*>(p));
}

// A string's heap buffer; short strings live inside the object (no heap at all).
inline size_t heap_bytes_of(const std::string& s) {
  return s.capacity() > 15 ? block_bytes(s.data()) : 0;
}

template <typename T>
size_t heap_bytes_of(const std::vector<T>& v) {
  return v.capacity() > 0 ? block_bytes(v.data()) : 0;
}

}  // namespace cachet::store
