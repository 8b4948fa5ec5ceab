#pragma once
// The running total of the counting allocator (malloc_counter.cc). Use store/memory.h; this
// header only joins the two files.
#include <cstddef>

namespace cachet::store {

size_t counted_allocated_bytes();

}  // namespace cachet::store
