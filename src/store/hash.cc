#include "store/hash.h"

#include <cstring>

namespace cachet::store {
namespace {

uint64_t g_seed = 0x243f6a8885a308d3ULL;

constexpr uint64_t kP0 = 0xa0761d6478bd642fULL;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbULL;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ULL;

// 64x64->128 multiply folded back to 64 bits: cheap and mixes every input bit.
inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

void set_hash_seed(uint64_t seed) { g_seed = seed; }

uint64_t hash_bytes(const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = g_seed ^ fold_mul(len ^ kP0, kP1);
  size_t n = len;
  while (n >= 16) {
    h = fold_mul(load64(p) ^ kP1, load64(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    h = fold_mul(load64(p) ^ kP2, h ^ kP0);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = fold_mul(tail ^ kP0, h ^ kP2);
  }
  return fold_mul(h ^ kP1, len ^ kP2);
}

}  // namespace cachet::store
