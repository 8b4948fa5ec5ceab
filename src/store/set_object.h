#pragma once
// A set value in one of Valkey's three forms: an intset (sorted 64-bit integers, while every
// member is an integer and there are at most set-max-intset-entries), a packed list (at most
// set-max-listpack-entries members of at most set-max-listpack-value bytes), or a Dict. Sets
// only move towards the Dict form, as in Valkey.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "store/dict.h"
#include "store/packed_items.h"

namespace cachet::store {

struct SetLimits {
  size_t max_intset_entries = 512;
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class SetObject {
 public:
  enum class Form { kIntset, kListpack, kTable };

  SetObject() = default;
  SetObject(const SetObject&) = delete;
  SetObject& operator=(const SetObject&) = delete;

  Form form() const { return form_; }
  size_t size() const;
  bool contains(std::string_view member) const;
  // True when the member was added. May change the form.
  bool add(std::string_view member, const SetLimits& limits);
  bool remove(std::string_view member);

  // Visits every member (integers formatted into a scratch buffer the view points into).
  template <typename Fn>
  void for_each(Fn&& fn) const;
  // A uniformly random member (as a string).
  std::string random_member(uint64_t random) const;
  template <typename Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn);

  std::unique_ptr<SetObject> clone() const;
  size_t memory_bytes() const;

 private:
  void to_listpack();
  void to_table();
  size_t find_packed(std::string_view member) const;

  Form form_ = Form::kIntset;
  std::vector<int64_t> ints_;  // sorted
  std::string packed_;
  size_t packed_count_ = 0;
  std::unique_ptr<Dict> table_;
};

template <typename Fn>
void SetObject::for_each(Fn&& fn) const {
  switch (form_) {
    case Form::kIntset: {
      char buf[24];
      for (int64_t v : ints_) fn(std::string_view(buf, format_int64(v, buf)));
      return;
    }
    case Form::kListpack: {
      size_t pos = 0;
      while (pos < packed_.size()) {
        fn(packed::read(packed_, &pos));
      }
      return;
    }
    case Form::kTable:
      table_->for_each([&](Entry* e) { fn(e->key_view()); });
      return;
  }
}

template <typename Fn>
uint64_t SetObject::scan(uint64_t cursor, Fn&& fn) {
  if (form_ != Form::kTable) {
    for_each(fn);
    return 0;
  }
  return table_->scan(cursor, [&](Entry* e) { fn(e->key_view()); });
}

}  // namespace cachet::store
