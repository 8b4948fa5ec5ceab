#pragma once
// A hash value. Small hashes are one packed buffer of length-prefixed field/value pairs (the
// role listpack plays in Valkey: one allocation, no per-field overhead, linear scans that are
// fast at this size); a hash that outgrows hash-max-listpack-entries, or gets a field or value
// longer than hash-max-listpack-value, becomes a Dict (incremental rehash, stable SCAN cursor).
// Like Valkey, a hash never converts back to the compact form.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/dict.h"
#include "store/packed_items.h"

namespace cachet::store {

struct CompactLimits {
  size_t max_entries = 128;
  size_t max_value = 64;
};

class HashObject {
 public:
  HashObject() = default;
  HashObject(HashObject&&) noexcept = default;
  HashObject(const HashObject&) = delete;
  HashObject& operator=(const HashObject&) = delete;

  bool compact() const { return table_ == nullptr; }
  size_t size() const { return compact() ? packed_.items() : table_->size(); }

  std::optional<std::string_view> get(std::string_view field) const;
  bool contains(std::string_view field) const { return get(field).has_value(); }
  // Sets a field; true when it is new. May convert to the table form.
  bool set(std::string_view field, std::string_view value, const CompactLimits& limits);
  bool erase(std::string_view field);

  // Visits every field/value pair in storage order.
  template <typename Fn>
  void for_each(Fn&& fn) const;
  // The i-th pair in storage order, for random picks (i < size()). O(n) when compact.
  std::pair<std::string_view, std::string_view> random_pair(uint64_t random) const;
  // One step of a cursor walk: compact hashes return everything at once (cursor 0).
  template <typename Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn);

  std::unique_ptr<HashObject> clone() const;
  // Heap bytes held beyond the object itself (which lives embedded in a Value).
  size_t memory_bytes() const;

 private:
  // Offset of the field's entry in the packed buffer, or npos.
  size_t find_compact(std::string_view field) const;
  void convert_to_table();

  PackedBuffer packed_;  // field, value, field, value ... as packed items
  std::unique_ptr<Dict> table_;
};


template <typename Fn>
void HashObject::for_each(Fn&& fn) const {
  if (compact()) {
    size_t pos = 0;
    while (pos < packed_.size()) {
      std::string_view field = packed::read(packed_, &pos);
      std::string_view value = packed::read(packed_, &pos);
      fn(field, value);
    }
    return;
  }
  char scratch[Value::kIntBufferSize];
  table_->for_each([&](Entry* e) { fn(e->key_view(), e->value.str(scratch)); });
}

template <typename Fn>
uint64_t HashObject::scan(uint64_t cursor, Fn&& fn) {
  if (compact()) {
    for_each(fn);
    return 0;
  }
  char scratch[Value::kIntBufferSize];
  return table_->scan(cursor, [&](Entry* e) { fn(e->key_view(), e->value.str(scratch)); });
}

}  // namespace cachet::store
