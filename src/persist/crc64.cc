#include "persist/crc64.h"

#include <array>
#include <cstring>

namespace cachet::persist {
namespace {

constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;

// Slicing-by-8: table[k][b] is the CRC of byte b followed by k zero bytes, so eight input
// bytes are folded per step instead of one.
struct Tables {
  std::array<std::array<uint64_t, 256>, 8> t{};
  Tables() {
    for (uint64_t b = 0; b < 256; ++b) {
      uint64_t crc = b;
      for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
      t[0][b] = crc;
    }
    for (size_t k = 1; k < 8; ++k)
      for (size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
};

const Tables& tables() {
  static const Tables instance;
  return instance;
}

}  // namespace

uint64_t crc64(uint64_t crc, const void* data, size_t size) {
  const auto& t = tables().t;
  const auto* p = static_cast<const unsigned char*>(data);
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian host, as the x86-64 and arm64 targets are
    crc ^= word;
    crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^ t[5][(crc >> 16) & 0xff] ^
          t[4][(crc >> 24) & 0xff] ^ t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^
          t[1][(crc >> 48) & 0xff] ^ t[0][crc >> 56];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace cachet::persist
