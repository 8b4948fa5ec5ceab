#pragma once
// Seeded 64-bit hash for keys. Seeded at start-up so clients cannot precompute collisions.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cachet::store {

void set_hash_seed(uint64_t seed);
uint64_t hash_bytes(const void* data, size_t len);
inline uint64_t hash_key(std::string_view key) { return hash_bytes(key.data(), key.size()); }

}  // namespace cachet::store
