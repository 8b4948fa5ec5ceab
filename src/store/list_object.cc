#include "store/list_object.h"

#include <malloc.h>

#include <algorithm>

#include "store/heap_size.h"
#include "store/packed_items.h"

namespace cachet::store {

bool ListObject::over_limit(size_t count, size_t bytes) const {
  // A count limit (0 counts as 1) still caps a compact list at 8 KB, as Valkey's safety limit.
  constexpr size_t kSafetyBytes = 8192;
  if (limit_ >= 0) return count > static_cast<size_t>(std::max<int64_t>(limit_, 1)) || bytes > kSafetyBytes;
  int64_t level = limit_ < -5 ? 5 : (limit_ == 0 ? 1 : -limit_);
  size_t max_bytes = size_t{4096} << (level - 1);  // -1: 4 KB ... -5: 64 KB
  return bytes > max_bytes;
}

void ListObject::make_big() {
  std::vector<std::string> all = items();
  packed_.clear();
  count_ = 0;
  big_ = std::make_unique<std::deque<std::string>>(std::make_move_iterator(all.begin()),
                                                   std::make_move_iterator(all.end()));
  big_bytes_ = 0;
  for (const std::string& s : *big_) big_bytes_ += packed::item_size(s.size());
}

void ListObject::rebalance() {
  if (compact()) {
    if (over_limit(count_, packed_.size())) make_big();
    return;
  }
  // Back to packed once the list would fit in half the limit, so a list hovering at the limit
  // does not flip-flop.
  if (over_limit(big_->size() * 2, big_bytes_ * 2)) return;
  std::vector<std::string> all(std::make_move_iterator(big_->begin()),
                               std::make_move_iterator(big_->end()));
  big_.reset();
  big_bytes_ = 0;
  assign(std::move(all));
}

std::vector<std::string> ListObject::items() const {
  std::vector<std::string> out;
  out.reserve(size());
  if (size() > 0) {
    for_range(0, size() - 1, [&](std::string_view s) {
      out.emplace_back(s);
      return true;
    });
  }
  return out;
}

void ListObject::assign(std::vector<std::string> all) {
  if (!compact()) {
    big_bytes_ = 0;
    for (const std::string& s : all) big_bytes_ += packed::item_size(s.size());
    big_->assign(std::make_move_iterator(all.begin()), std::make_move_iterator(all.end()));
  } else {
    packed_.clear();
    for (const std::string& s : all) packed::append(packed_, s);
    count_ = all.size();
  }
  rebalance();
}

void ListObject::push_front(std::string_view item) {
  if (!compact()) {
    big_->emplace_front(item);
    big_bytes_ += packed::item_size(item.size());
    return;
  }
  packed_.insert(0, packed::encode(item));
  ++count_;
  rebalance();
}

void ListObject::push_back(std::string_view item) {
  if (!compact()) {
    big_->emplace_back(item);
    big_bytes_ += packed::item_size(item.size());
    return;
  }
  packed::append(packed_, item);
  ++count_;
  rebalance();
}

std::string ListObject::pop_front() {
  std::string out;
  if (!compact()) {
    out = std::move(big_->front());
    big_->pop_front();
    big_bytes_ -= packed::item_size(out.size());
  } else {
    size_t pos = 0;
    out = std::string(packed::read(packed_, &pos));
    packed_.erase(0, pos);
    --count_;
  }
  rebalance();
  return out;
}

std::string ListObject::pop_back() {
  std::string out;
  if (!compact()) {
    out = std::move(big_->back());
    big_->pop_back();
    big_bytes_ -= packed::item_size(out.size());
  } else {
    size_t pos = 0, last = 0;
    while (pos < packed_.size()) {
      last = pos;
      packed::read(packed_, &pos);
    }
    size_t at = last;
    out = std::string(packed::read(packed_, &at));
    packed_.resize(last);
    --count_;
  }
  rebalance();
  return out;
}

std::string ListObject::at(size_t i) const {
  if (!compact()) return (*big_)[i];
  std::string out;
  for_range(i, i, [&](std::string_view s) {
    out = std::string(s);
    return false;
  });
  return out;
}

void ListObject::set(size_t i, std::string_view item) {
  // Valkey judges LSET as if the new element were added (one more entry, its bytes more),
  // then lets the list shrink back to packed if the replacement made it small enough.
  if (compact() && over_limit(count_ + 1, packed_.size() + packed::item_size(item.size()))) {
    make_big();
  }
  if (!compact()) {
    big_bytes_ += packed::item_size(item.size()) - packed::item_size((*big_)[i].size());
    (*big_)[i] = std::string(item);
    rebalance();
    return;
  }
  std::vector<std::string> all = items();
  all[i] = std::string(item);
  assign(std::move(all));
}

bool ListObject::insert(std::string_view pivot, std::string_view item, bool after) {
  std::vector<std::string> all = items();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] != pivot) continue;
    all.insert(all.begin() + static_cast<std::ptrdiff_t>(after ? i + 1 : i), std::string(item));
    assign(std::move(all));
    return true;
  }
  return false;
}

size_t ListObject::remove(std::string_view item, int64_t count) {
  std::vector<std::string> all = items();
  size_t limit = count == 0 ? all.size() : static_cast<size_t>(count < 0 ? -count : count);
  size_t removed = 0;
  std::vector<bool> drop(all.size(), false);
  if (count >= 0) {
    for (size_t i = 0; i < all.size() && removed < limit; ++i)
      if (all[i] == item) drop[i] = true, ++removed;
  } else {
    for (size_t i = all.size(); i-- > 0 && removed < limit;)
      if (all[i] == item) drop[i] = true, ++removed;
  }
  if (removed == 0) return 0;
  std::vector<std::string> kept;
  kept.reserve(all.size() - removed);
  for (size_t i = 0; i < all.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(all[i]));
  assign(std::move(kept));
  return removed;
}

void ListObject::trim(size_t start, size_t stop) {
  std::vector<std::string> all = items();
  std::vector<std::string> kept(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(start)),
                                std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(stop) + 1));
  assign(std::move(kept));
}

std::unique_ptr<ListObject> ListObject::clone() const {
  auto copy = std::make_unique<ListObject>(limit_);
  if (big_) copy->big_ = std::make_unique<std::deque<std::string>>(*big_);
  copy->packed_ = packed_;
  copy->count_ = count_;
  copy->big_bytes_ = big_bytes_;
  return copy;
}

size_t ListObject::memory_bytes() const {
  size_t bytes = block_bytes(this) + packed_.allocated();
  if (big_) {
    // libstdc++'s deque: 512-byte blocks of elements and a map of block pointers (at least 8).
    constexpr size_t kBlockBytes = 512;
    size_t blocks = big_->size() * sizeof(std::string) / kBlockBytes + 1;
    bytes += block_bytes(big_.get()) + blocks * kBlockBytes +
             std::max<size_t>(8, blocks + 2) * sizeof(void*);
    for (const std::string& s : *big_) bytes += heap_bytes_of(s);
  }
  return bytes;
}

}  // namespace cachet::store
