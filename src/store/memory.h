#pragma once
// What the process has allocated: used_memory in INFO, the figure maxmemory is enforced
// against, and the basis of MEMORY USAGE. Every malloc, free and realloc of the process is
// counted as it happens (malloc_counter.cc interposes the C allocator, so C++ containers,
// OpenSSL and client buffers are all seen, as Valkey's zmalloc counts everything it
// allocates), which makes reading it O(1): the per-command maxmemory check is a load and a
// compare. Under AddressSanitizer the sanitizer's allocator owns malloc and is asked instead.
#include <cstddef>
#include <cstdint>

namespace cachet::store {

// Bytes currently allocated (usable size of every live block).
size_t allocated_bytes();
// The highest allocated_bytes() seen by note_peak() (INFO used_memory_peak).
size_t peak_allocated_bytes();
void note_peak();
size_t resident_set_bytes();
size_t peak_resident_set_bytes();

// maxmemory as the store sees it (0: no limit). Set by the server whenever the directive
// changes; hash tables ask it before growing (see would_exceed_limit).
void set_memory_limit(size_t bytes);
size_t memory_limit();
// Whether allocating `more` bytes now would take the process over maxmemory. Tables that
// are not badly overloaded put off growing rather than trigger evictions just by resizing.
bool would_exceed_limit(size_t more);

}  // namespace cachet::store
