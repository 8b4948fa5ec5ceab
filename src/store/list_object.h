#pragma once
// A list value. Small lists are one packed buffer of length-prefixed items (Valkey's listpack
// role); a list that outgrows list-max-listpack-size becomes a deque of strings (reported as
// "quicklist") and goes back to the packed form when it shrinks to half the limit, as Valkey
// 8 converts in both directions.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/packed_items.h"

namespace cachet::store {

class ListObject {
 public:
  // list-max-listpack-size: > 0 is a count of entries, -1..-5 a byte size of 4..64 KB.
  explicit ListObject(int64_t size_limit = -2) : limit_(size_limit) {}
  ListObject(const ListObject&) = delete;
  ListObject& operator=(const ListObject&) = delete;

  bool compact() const { return !big_; }
  size_t size() const { return compact() ? count_ : big_->size(); }

  void push_front(std::string_view item);
  void push_back(std::string_view item);
  std::string pop_front();
  std::string pop_back();
  // Index 0 is the head; the caller keeps i < size().
  std::string at(size_t i) const;
  void set(size_t i, std::string_view item);
  // Inserts before (or after) the first element equal to pivot; false if there is none.
  bool insert(std::string_view pivot, std::string_view item, bool after);
  // Removes up to |count| elements equal to item, from the head (count > 0), from the tail
  // (count < 0) or all (0). Returns how many were removed.
  size_t remove(std::string_view item, int64_t count);
  // Keeps elements [start, stop] (already clamped, start <= stop < size()).
  void trim(size_t start, size_t stop);
  // Visits elements [start, stop] in order; fn returns false to stop.
  template <typename Fn>
  void for_range(size_t start, size_t stop, Fn&& fn) const;

  void set_limit(int64_t limit) { limit_ = limit; }
  std::unique_ptr<ListObject> clone() const;
  size_t memory_bytes() const;

 private:
  std::vector<std::string> items() const;  // all elements, for the rare whole-list rewrites
  void assign(std::vector<std::string> items);
  bool over_limit(size_t count, size_t bytes) const;
  void rebalance();  // converts between the forms as the size crosses the limits
  void make_big();

  int64_t limit_;
  PackedBuffer packed_;
  size_t count_ = 0;
  // The large form, only while the list is large: an empty std::deque alone costs about
  // 600 bytes (its map and a first block), more than most small lists hold.
  std::unique_ptr<std::deque<std::string>> big_;
  size_t big_bytes_ = 0;  // the deque's items as packed bytes, to judge shrinking in O(1)
};

template <typename Fn>
void ListObject::for_range(size_t start, size_t stop, Fn&& fn) const {
  if (!compact()) {
    for (size_t i = start; i <= stop && i < big_->size(); ++i)
      if (!fn(std::string_view((*big_)[i]))) return;
    return;
  }
  size_t pos = 0;
  for (size_t i = 0; i <= stop && pos < packed_.size(); ++i) {
    std::string_view item = packed::read(packed_, &pos);
    if (i >= start && !fn(item)) return;
  }
}

}  // namespace cachet::store
