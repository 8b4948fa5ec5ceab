#pragma once
// Wall-clock and monotonic time in the units Redis uses (ms and us since the epoch).
#include <cstdint>

namespace cachet {

int64_t now_us();  // wall clock, microseconds since the epoch
inline int64_t now_ms() { return now_us() / 1000; }
int64_t monotonic_us();

}  // namespace cachet
