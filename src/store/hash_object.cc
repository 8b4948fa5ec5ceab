#include "store/hash_object.h"

#include "store/heap_size.h"

#include <malloc.h>

namespace cachet::store {

size_t HashObject::find_compact(std::string_view field) const {
  size_t pos = 0;
  while (pos < packed_.size()) {
    size_t at = pos;
    std::string_view f = packed::read(packed_, &pos);
    if (f == field) return at;
    packed::read(packed_, &pos);  // its value
  }
  return std::string::npos;
}

std::optional<std::string_view> HashObject::get(std::string_view field) const {
  if (!compact()) {
    Entry* e = table_->find(field);
    if (e == nullptr) return std::nullopt;
    // Values in the table are raw strings, never the int form, so no scratch is needed.
    char unused[Value::kIntBufferSize];
    return e->value.str(unused);
  }
  size_t at = find_compact(field);
  if (at == std::string::npos) return std::nullopt;
  packed::read(packed_, &at);
  return packed::read(packed_, &at);
}

bool HashObject::set(std::string_view field, std::string_view value,
                     const CompactLimits& limits) {
  if (compact() && (field.size() > limits.max_value || value.size() > limits.max_value)) {
    convert_to_table();
  }
  if (!compact()) {
    Entry* e = table_->find(field);
    if (e != nullptr) {
      e->value = Value::raw_string(value);
      return false;
    }
    table_->insert(field, Value::raw_string(value));
    return true;
  }
  size_t at = find_compact(field);
  if (at != std::string::npos) {
    size_t value_at = at;
    packed::read(packed_, &value_at);
    size_t end = value_at;
    packed::read(packed_, &end);
    packed_.replace(value_at, end - value_at, packed::encode(value));
    return false;
  }
  size_t count = packed_.items();
  if (count + 1 > limits.max_entries) {
    convert_to_table();
    table_->insert(field, Value::raw_string(value));
    return true;
  }
  packed::append(packed_, field);
  packed::append(packed_, value);
  packed_.set_items(count + 1);
  return true;
}

bool HashObject::erase(std::string_view field) {
  if (!compact()) {
    Entry* e = table_->detach(field);
    if (e == nullptr) return false;
    Dict::free_entry(e);
    table_->maybe_shrink();
    return true;
  }
  size_t at = find_compact(field);
  if (at == std::string::npos) return false;
  size_t end = at;
  packed::read(packed_, &end);
  packed::read(packed_, &end);
  size_t count = packed_.items();
  packed_.erase(at, end - at);
  packed_.set_items(count - 1);
  return true;
}

void HashObject::convert_to_table() {
  auto table = std::make_unique<Dict>();
  for_each([&](std::string_view f, std::string_view v) { table->insert(f, Value::raw_string(v)); });
  table_ = std::move(table);
  packed_.clear();
}

std::pair<std::string_view, std::string_view> HashObject::random_pair(uint64_t random) const {
  if (!compact()) {
    Entry* e = table_->random_entry(random);
    char unused[Value::kIntBufferSize];
    return {e->key_view(), e->value.str(unused)};
  }
  size_t target = random % packed_.items();
  size_t pos = 0;
  for (size_t i = 0;; ++i) {
    std::string_view f = packed::read(packed_, &pos);
    std::string_view v = packed::read(packed_, &pos);
    if (i == target) return {f, v};
  }
}

std::unique_ptr<HashObject> HashObject::clone() const {
  auto copy = std::make_unique<HashObject>();
  if (compact()) {
    copy->packed_ = packed_;
  } else {
    copy->table_ = std::make_unique<Dict>();
    for_each([&](std::string_view f, std::string_view v) {
      copy->table_->insert(f, Value::raw_string(v));
    });
  }
  return copy;
}

size_t HashObject::memory_bytes() const {
  // Heap beyond the object itself: a hash lives embedded in its key's value.
  if (compact()) return packed_.allocated();
  size_t bytes = block_bytes(table_.get()) + table_->overhead_bytes();
  table_->for_each([&](Entry* e) { bytes += malloc_usable_size(e) + e->value.heap_bytes(); });
  return bytes;
}

}  // namespace cachet::store
