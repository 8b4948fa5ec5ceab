#include "store/set_object.h"

#include "store/heap_size.h"

#include <malloc.h>

#include <algorithm>

#include "common/strings.h"
#include "store/packed_items.h"

namespace cachet::store {
namespace {
// Valkey's intsets hold members that read as 64-bit integers in their canonical form.
bool as_integer(std::string_view s, int64_t* v) { return s.size() <= 20 && parse_int64(s, v); }
}  // namespace

size_t SetObject::size() const {
  switch (form_) {
    case Form::kIntset: return ints_.size();
    case Form::kListpack: return packed_count_;
    case Form::kTable: return table_->size();
  }
  return 0;
}

size_t SetObject::find_packed(std::string_view member) const {
  size_t pos = 0;
  while (pos < packed_.size()) {
    size_t at = pos;
    if (packed::read(packed_, &pos) == member) return at;
  }
  return std::string::npos;
}

bool SetObject::contains(std::string_view member) const {
  switch (form_) {
    case Form::kIntset: {
      int64_t v;
      return as_integer(member, &v) && std::binary_search(ints_.begin(), ints_.end(), v);
    }
    case Form::kListpack: return find_packed(member) != std::string::npos;
    case Form::kTable: return table_->find(member) != nullptr;
  }
  return false;
}

bool SetObject::add(std::string_view member, const SetLimits& limits) {
  if (form_ == Form::kIntset) {
    int64_t v;
    if (as_integer(member, &v)) {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
      if (it != ints_.end() && *it == v) return false;
      if (ints_.size() + 1 > limits.max_intset_entries) {
        to_table();
      } else {
        ints_.insert(it, v);
        return true;
      }
    } else if (ints_.size() + 1 <= limits.max_listpack_entries &&
               member.size() <= limits.max_listpack_value) {
      to_listpack();
    } else {
      to_table();
    }
  }
  if (form_ == Form::kListpack) {
    if (find_packed(member) != std::string::npos) return false;
    if (packed_count_ + 1 > limits.max_listpack_entries ||
        member.size() > limits.max_listpack_value) {
      to_table();
    } else {
      packed::append(packed_, member);
      ++packed_count_;
      return true;
    }
  }
  if (table_->find(member) != nullptr) return false;
  table_->insert(member, Value());
  return true;
}

bool SetObject::remove(std::string_view member) {
  switch (form_) {
    case Form::kIntset: {
      int64_t v;
      if (!as_integer(member, &v)) return false;
      auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
      if (it == ints_.end() || *it != v) return false;
      ints_.erase(it);
      return true;
    }
    case Form::kListpack: {
      size_t at = find_packed(member);
      if (at == std::string::npos) return false;
      size_t end = at;
      packed::read(packed_, &end);
      packed_.erase(at, end - at);
      --packed_count_;
      return true;
    }
    case Form::kTable: {
      Entry* e = table_->detach(member);
      if (e == nullptr) return false;
      Dict::free_entry(e);
      table_->maybe_shrink();
      return true;
    }
  }
  return false;
}

void SetObject::to_listpack() {
  for (int64_t v : ints_) packed::append(packed_, std::to_string(v));
  packed_count_ = ints_.size();
  ints_.clear();
  ints_.shrink_to_fit();
  form_ = Form::kListpack;
}

void SetObject::to_table() {
  auto table = std::make_unique<Dict>();
  for_each([&](std::string_view m) { table->insert(m, Value()); });
  table_ = std::move(table);
  ints_.clear();
  ints_.shrink_to_fit();
  packed_.clear();
  packed_count_ = 0;
  form_ = Form::kTable;
}

std::string SetObject::random_member(uint64_t random) const {
  switch (form_) {
    case Form::kIntset: return std::to_string(ints_[random % ints_.size()]);
    case Form::kListpack: {
      size_t target = random % packed_count_, pos = 0;
      for (size_t i = 0;; ++i) {
        std::string_view m = packed::read(packed_, &pos);
        if (i == target) return std::string(m);
      }
    }
    case Form::kTable: return std::string(table_->random_entry(random)->key_view());
  }
  return {};
}

std::unique_ptr<SetObject> SetObject::clone() const {
  auto copy = std::make_unique<SetObject>();
  copy->form_ = form_;
  copy->ints_ = ints_;
  copy->packed_ = packed_;
  copy->packed_count_ = packed_count_;
  if (table_) {
    copy->table_ = std::make_unique<Dict>();
    table_->for_each([&](Entry* e) { copy->table_->insert(e->key_view(), Value()); });
  }
  return copy;
}

size_t SetObject::memory_bytes() const {
  size_t bytes = block_bytes(this) + heap_bytes_of(ints_) + packed_.allocated();
  if (table_) {
    bytes += block_bytes(table_.get()) + table_->overhead_bytes();
    table_->for_each([&](Entry* e) { bytes += malloc_usable_size(e); });
  }
  return bytes;
}

}  // namespace cachet::store
