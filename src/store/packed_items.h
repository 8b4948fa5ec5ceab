#pragma once
// A run of length-prefixed byte strings in one buffer: the compact form small hashes and sets
// use (Valkey's listpack plays this role). One allocation, no per-item header beyond 4 bytes.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cachet::store::packed {

inline void append(std::string& buf, std::string_view item) {
  uint32_t len = static_cast<uint32_t>(item.size());
  buf.append(reinterpret_cast<const char*>(&len), sizeof len);
  buf.append(item);
}

// Reads the item at *pos and moves *pos past it.
inline std::string_view read(const std::string& buf, size_t* pos) {
  uint32_t len;
  std::memcpy(&len, buf.data() + *pos, sizeof len);
  std::string_view item(buf.data() + *pos + sizeof len, len);
  *pos += sizeof len + len;
  return item;
}

}  // namespace cachet::store::packed
