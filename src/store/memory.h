#pragma once
// What the process has allocated, as the allocator sees it; used_memory in INFO and the
// basis of MEMORY USAGE figures. Honest by construction: it is the allocator's own count.
#include <cstddef>

namespace cachet::store {

size_t allocated_bytes();
size_t resident_set_bytes();
size_t peak_resident_set_bytes();

}  // namespace cachet::store
