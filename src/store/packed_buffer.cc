#include "store/packed_buffer.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace cachet::store {

PackedBuffer::~PackedBuffer() { std::free(block_); }

PackedBuffer::PackedBuffer(const PackedBuffer& other) {
  append(other.view());
  set_items(other.items());
}

PackedBuffer& PackedBuffer::operator=(const PackedBuffer& other) {
  if (this != &other) {
    clear();
    append(other.view());
    set_items(other.items());
  }
  return *this;
}

PackedBuffer& PackedBuffer::operator=(PackedBuffer&& other) noexcept {
  if (this != &other) {
    std::free(block_);
    block_ = std::exchange(other.block_, nullptr);
  }
  return *this;
}

void PackedBuffer::clear() {
  std::free(block_);
  block_ = nullptr;
}

size_t PackedBuffer::allocated() const {
  return block_ != nullptr ? malloc_usable_size(block_) : 0;
}

void PackedBuffer::replace(size_t pos, size_t count, std::string_view first,
                           std::string_view second) {
  // Parts that live inside this buffer would move under the realloc: copy them out first.
  auto inside = [&](std::string_view s) {
    return block_ != nullptr && !s.empty() && s.data() >= block_->bytes &&
           s.data() < block_->bytes + block_->size;
  };
  if (inside(first) || inside(second)) {
    std::string a(first), b(second);
    return replace(pos, count, a, b);
  }
  size_t old_size = size();
  size_t tail = old_size - pos - count;
  size_t new_size = old_size - count + first.size() + second.size();
  if (new_size == 0) return clear();
  if (new_size < old_size) {  // shrink: move the tail down before giving memory back
    std::memmove(block_->bytes + pos + first.size() + second.size(),
                 block_->bytes + pos + count, tail);
  }
  if (new_size != old_size) {
    auto* grown = static_cast<Block*>(std::realloc(block_, sizeof(Block) + new_size));
    if (grown == nullptr) throw std::bad_alloc();
    if (block_ == nullptr) grown->size = grown->items = 0;
    block_ = grown;
  }
  if (new_size > old_size) {  // grow: move the tail up into the new room
    std::memmove(block_->bytes + pos + first.size() + second.size(),
                 block_->bytes + pos + count, tail);
  }
  if (!first.empty()) std::memcpy(block_->bytes + pos, first.data(), first.size());
  if (!second.empty()) {
    std::memcpy(block_->bytes + pos + first.size(), second.data(), second.size());
  }
  block_->size = static_cast<uint32_t>(new_size);
}

}  // namespace cachet::store
