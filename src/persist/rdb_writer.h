#pragma once
// Writing the RDB format: a buffered sink that keeps the running CRC-64, and the encoders for
// lengths, strings (as integers when they are one, LZF-compressed when that saves space) and
// values. Used for snapshot files and for DUMP payloads alike.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/value.h"

namespace cachet::persist {

class RdbSink {
 public:
  // Writes to `fd` in large chunks, or keeps everything in memory when fd is -1.
  explicit RdbSink(int fd = -1) : fd_(fd) { buffer_.reserve(fd >= 0 ? kChunk : 64); }

  void write(const void* data, size_t size) {
    buffer_.append(static_cast<const char*>(data), size);
    if (fd_ >= 0 && buffer_.size() >= kChunk) flush();
  }
  void byte(uint8_t b) { write(&b, 1); }
  // Sends buffered bytes to the file; false once a write has failed.
  bool flush();
  // CRC-64 of every byte written so far.
  uint64_t crc();
  bool ok() const { return error_ == 0; }
  int error() const { return error_; }
  size_t bytes() const { return flushed_ + buffer_.size(); }
  // The bytes written, in memory mode.
  const std::string& data() const { return buffer_; }

 private:
  static constexpr size_t kChunk = 1 << 20;
  int fd_;
  std::string buffer_;
  size_t crc_done_ = 0;  // how much of buffer_ the CRC already covers
  uint64_t crc_ = 0;
  size_t flushed_ = 0;
  int error_ = 0;
};

void write_length(RdbSink& out, uint64_t len);
// A string; `compress` allows LZF for strings over 20 bytes, as rdbcompression does.
void write_string(RdbSink& out, std::string_view s, bool compress);
void write_binary_double(RdbSink& out, double v);

// The RDB type byte for a value, and its body after that byte.
uint8_t rdb_type_of(const store::Value& v);
void write_value(RdbSink& out, const store::Value& v, bool compress);

}  // namespace cachet::persist
