#pragma once
// The CRC-64 RDB files and DUMP payloads end with: the Jones polynomial, reflected, initial
// value 0, no final xor (the variant Redis uses; crc64("123456789") = 0xe9c6d914c4b8d9ca).
#include <cstddef>
#include <cstdint>

namespace cachet::persist {

// Extends `crc` over `size` bytes.
uint64_t crc64(uint64_t crc, const void* data, size_t size);

}  // namespace cachet::persist
