#pragma once
// A run of length-prefixed byte strings in one buffer: the compact form small hashes, sets,
// lists and sorted sets use (Valkey's listpack plays this role). One allocation; each item's
// length is a varint, so an item under 128 bytes costs one byte of header.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cachet::store::packed {

inline void append_length(std::string& buf, size_t len) {
  while (len >= 0x80) {
    buf.push_back(static_cast<char>((len & 0x7F) | 0x80));
    len >>= 7;
  }
  buf.push_back(static_cast<char>(len));
}

inline size_t read_length(const std::string& buf, size_t* pos) {
  size_t len = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<unsigned char>(buf[(*pos)++]);
    len |= static_cast<size_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return len;
  }
}

// Bytes an item of `len` bytes takes in a packed buffer.
inline size_t item_size(size_t len) {
  size_t header = 1;
  for (size_t rest = len >> 7; rest != 0; rest >>= 7) ++header;
  return header + len;
}

inline void append(std::string& buf, std::string_view item) {
  append_length(buf, item.size());
  buf.append(item);
}

// Reads the item at *pos and moves *pos past it.
inline std::string_view read(const std::string& buf, size_t* pos) {
  size_t len = read_length(buf, pos);
  std::string_view item(buf.data() + *pos, len);
  *pos += len;
  return item;
}

}  // namespace cachet::store::packed
