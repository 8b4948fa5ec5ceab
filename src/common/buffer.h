#pragma once
// A growable byte buffer with a consumed prefix: bytes are appended at the back and consumed
// from the front, and the storage is reused (compacted) rather than reallocated, so a steady
// stream of requests and replies allocates nothing once the buffer has reached its working size.
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace cachet {

class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  const char* data() const { return data_.get() + start_; }
  size_t size() const { return end_ - start_; }
  bool empty() const { return start_ == end_; }
  std::string_view view() const { return {data(), size()}; }
  size_t capacity() const { return cap_; }

  // Room to write at least `n` bytes at write_ptr(); call commit(k) after writing k bytes.
  char* reserve(size_t n) {
    if (cap_ - end_ < n) grow(n);
    return data_.get() + end_;
  }
  char* write_ptr() { return data_.get() + end_; }
  size_t writable() const { return cap_ - end_; }
  void commit(size_t n) { end_ += n; }

  void append(const void* p, size_t n) {
    std::memcpy(reserve(n), p, n);
    end_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  void push_back(char c) {
    *reserve(1) = c;
    ++end_;
  }

  void consume(size_t n) {
    start_ += n;
    if (start_ == end_) start_ = end_ = 0;
  }
  void clear() { start_ = end_ = 0; }
  // Drops bytes written after the first `size` bytes (CLIENT REPLY OFF discards replies).
  void truncate(size_t size) {
    if (size < end_ - start_) end_ = start_ + size;
  }
  // Gives memory back when a burst left a big buffer behind an idle client.
  void shrink_if_idle(size_t keep);

 private:
  void grow(size_t n);

  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace cachet
