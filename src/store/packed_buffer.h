#pragma once
// The bytes of a compact collection in one malloc'd block sized to exactly what it holds, with
// the size and the owner's item count in the block's header: the owner spends one pointer on
// it, and an insert reallocates to the new size (as Valkey's listpack does) instead of doubling
// like std::string.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace cachet::store {

class PackedBuffer {
 public:
  PackedBuffer() = default;
  ~PackedBuffer();
  PackedBuffer(const PackedBuffer& other);
  PackedBuffer& operator=(const PackedBuffer& other);
  PackedBuffer(PackedBuffer&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  PackedBuffer& operator=(PackedBuffer&& other) noexcept;

  size_t size() const { return block_ != nullptr ? block_->size : 0; }
  bool empty() const { return size() == 0; }
  // Null while empty: there are no bytes to point at.
  const char* data() const { return block_ != nullptr ? block_->bytes : nullptr; }
  char operator[](size_t i) const { return block_->bytes[i]; }
  std::string_view view() const { return {data(), size()}; }
  // How many items the owner keeps in the bytes; an empty buffer holds none.
  size_t items() const { return block_ != nullptr ? block_->items : 0; }
  void set_items(size_t n) {
    if (block_ != nullptr) block_->items = static_cast<uint32_t>(n);
  }

  // Replaces `count` bytes at `pos` with `first` followed by `second` (either may be empty,
  // and either may point into this buffer).
  void replace(size_t pos, size_t count, std::string_view first, std::string_view second = {});
  void insert(size_t pos, std::string_view bytes) { replace(pos, 0, bytes); }
  void append(std::string_view bytes) { replace(size(), 0, bytes); }
  void erase(size_t pos, size_t count) { replace(pos, count, {}); }
  void resize(size_t n) { if (n < size()) erase(n, size() - n); }
  void clear();
  // Bytes of heap this buffer holds.
  size_t allocated() const;

 private:
  struct Block {
    uint32_t size;
    uint32_t items;
    char bytes[];
  };
  Block* block_ = nullptr;
};

}  // namespace cachet::store
