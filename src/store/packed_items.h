#pragma once
// A run of length-prefixed byte strings in one PackedBuffer: the compact form small hashes,
// sets, lists and sorted sets use (Valkey's listpack plays this role). Each item's length is a
// varint, so an item under 128 bytes costs one byte of header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/packed_buffer.h"

namespace cachet::store::packed {

inline constexpr size_t kMaxHeader = 10;

// Writes the varint for `len` into `out` and returns its size.
inline size_t encode_length(size_t len, char* out) {
  size_t n = 0;
  while (len >= 0x80) {
    out[n++] = static_cast<char>((len & 0x7F) | 0x80);
    len >>= 7;
  }
  out[n++] = static_cast<char>(len);
  return n;
}

inline size_t read_length(const PackedBuffer& buf, size_t* pos) {
  size_t len = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<unsigned char>(buf[(*pos)++]);
    len |= static_cast<size_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return len;
  }
}

// Bytes an item of `len` bytes takes in a packed buffer.
inline size_t item_size(size_t len) {
  char header[kMaxHeader];
  return encode_length(len, header) + len;
}

// The item as it is stored: header and bytes.
inline std::string encode(std::string_view item) {
  char header[kMaxHeader];
  std::string out(header, encode_length(item.size(), header));
  out.append(item);
  return out;
}

inline void append(PackedBuffer& buf, std::string_view item) {
  char header[kMaxHeader];
  buf.replace(buf.size(), 0, std::string_view(header, encode_length(item.size(), header)), item);
}

// Reads the item at *pos and moves *pos past it.
inline std::string_view read(const PackedBuffer& buf, size_t* pos) {
  size_t len = read_length(buf, pos);
  std::string_view item(buf.data() + *pos, len);
  *pos += len;
  return item;
}

}  // namespace cachet::store::packed
