#pragma once
// Reading the RDB format: a bounds-checked source (a file read in large chunks, or a buffer)
// that keeps the running CRC-64, and the decoders for lengths, strings and every value type
// Redis 7 and Valkey 8 write (plain, listpack, ziplist, intset, zipmap and quicklist forms).
// Malformed input raises RdbError with the byte offset where it was found.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "store/hash_object.h"
#include "store/set_object.h"
#include "store/value.h"
#include "store/zset_object.h"

namespace cachet::persist {

class RdbError : public std::runtime_error {
 public:
  RdbError(uint64_t offset, const std::string& what)
      : std::runtime_error(what), offset_(offset) {}
  uint64_t offset() const { return offset_; }

 private:
  uint64_t offset_;
};

class RdbSource {
 public:
  // A whole file: `size` bytes readable from `fd`.
  RdbSource(int fd, uint64_t size);
  // A buffer (DUMP payloads); the bytes must outlive the source.
  explicit RdbSource(std::string_view bytes);

  uint64_t offset() const { return consumed_ + pos_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - offset(); }

  uint8_t byte();
  void read(void* out, size_t n);
  std::string read_string(size_t n);
  // CRC-64 of every byte consumed so far.
  uint64_t crc();
  [[noreturn]] void fail(const std::string& what) const { throw RdbError(offset(), what); }

 private:
  void need(size_t n);

  int fd_ = -1;
  uint64_t size_;
  std::string owned_;  // file chunks
  std::string_view buf_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;  // bytes before buf_
  size_t crc_pos_ = 0;
  uint64_t crc_ = 0;
};

// How decoded collections are shaped: the configured compact-encoding limits.
struct LoadLimits {
  store::SetLimits set;
  store::CompactLimits hash;
  store::ZSetLimits zset;
  int64_t list_max_listpack_size = -2;
};

uint64_t read_length(RdbSource& in, bool* is_encoded = nullptr);
std::string read_string(RdbSource& in);
double read_binary_double(RdbSource& in);

// The value of RDB type `type`; RdbError for types Cachet does not hold (streams, modules).
// An empty collection (older servers could write one) comes back empty for the caller to skip.
store::Value read_value(RdbSource& in, uint8_t type, const LoadLimits& limits);

}  // namespace cachet::persist
