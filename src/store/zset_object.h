#pragma once
// A sorted set value in one of Valkey's two forms. While small (at most
// zset-max-listpack-entries members of at most zset-max-listpack-value bytes) it is one packed
// buffer of (member, score) pairs kept in order, the role listpack plays in Valkey; beyond that
// a SkipList orders the members and a Dict maps each member to its node, so ZSCORE is O(1) and
// rank and range operations are O(log n). Like Valkey, a sorted set only converts towards the
// large form; results built by STORE commands start in the form their size calls for.
//
// Everything positional is expressed in ranks (0-based, ascending order), so one small
// interface serves index, score and lex ranges alike: a range is [from, to) of ranks, and
// count_before() turns a score or lex bound into a rank.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/dict.h"
#include "store/packed_items.h"
#include "store/skiplist.h"

namespace cachet::store {

struct ZSetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class ZSetObject {
 public:
  // A set sized for `expected_size` members whose longest is `longest_member` bytes.
  ZSetObject(size_t expected_size, size_t longest_member, const ZSetLimits& limits);
  ~ZSetObject();
  ZSetObject(ZSetObject&&) noexcept = default;
  ZSetObject(const ZSetObject&) = delete;
  ZSetObject& operator=(const ZSetObject&) = delete;

  bool compact() const { return big_ == nullptr; }
  size_t size() const { return compact() ? packed_.items() : big_->list.size(); }

  std::optional<double> score(std::string_view member) const;
  // Adds the member or changes its score; true when it is new. May change the form.
  bool set(std::string_view member, double score, const ZSetLimits& limits);
  bool remove(std::string_view member);
  // 0-based rank in ascending order, if the member is present.
  std::optional<size_t> rank(std::string_view member) const;

  // How many leading members satisfy before(score, member) (a predicate true for a prefix).
  template <typename Before>
  size_t count_before(Before&& before) const;
  // Visits ranks [from, to) as fn(member, score): ascending, or descending from to - 1.
  template <typename Fn>
  void visit(size_t from, size_t to, bool descending, Fn&& fn) const;
  template <typename Fn>
  void for_each(Fn&& fn) const {
    visit(0, size(), false, fn);
  }
  // Removes ranks [from, to).
  void remove_ranks(size_t from, size_t to);
  // One step of a cursor walk as fn(member, score): compact sets return everything (cursor 0).
  template <typename Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn);

  std::unique_ptr<ZSetObject> clone() const;
  // Heap bytes held beyond the object itself (which lives embedded in a Value).
  size_t memory_bytes() const;

 private:
  struct PackedItem {
    std::string_view member;
    double score;
    size_t at;   // offset of the item
    size_t end;  // offset just past it
  };
  static PackedItem read_item(const PackedBuffer& buf, size_t pos);
  // Scores in the packed form: an integral score of magnitude below 2^53 is a varint of
  // (zigzag(score) << 1 | 1), two bytes for the usual 0..8191; any other a 0 byte and the
  // 8-byte double. Returns the encoded size.
  static size_t encode_score(double score, char* out);
  // Offset of the member's item, or npos.
  size_t find_packed(std::string_view member) const;
  void insert_packed(std::string_view member, double score);
  void to_skiplist();
  // The skip list node of a member: the index stores node addresses as integers.
  SkipList::Node* node_of(std::string_view member) const;

  PackedBuffer packed_;
  // The large form: the order and the member index, in one allocation.
  struct Big {
    SkipList list;
    Dict index;  // member -> node address
  };
  std::unique_ptr<Big> big_;
};

inline ZSetObject::PackedItem ZSetObject::read_item(const PackedBuffer& buf, size_t pos) {
  PackedItem item;
  item.at = pos;
  item.member = packed::read(buf, &pos);
  uint64_t tag = packed::read_length(buf, &pos);
  if (tag == 0) {
    std::memcpy(&item.score, buf.data() + pos, sizeof(double));
    pos += sizeof(double);
  } else {
    uint64_t zigzag = tag >> 1;
    auto v = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
    item.score = static_cast<double>(v);
  }
  item.end = pos;
  return item;
}

template <typename Before>
size_t ZSetObject::count_before(Before&& before) const {
  if (!compact()) return big_->list.count_before(before);
  size_t n = 0;
  for (size_t pos = 0; pos < packed_.size(); ++n) {
    PackedItem item = read_item(packed_, pos);
    if (!before(item.score, item.member)) break;
    pos = item.end;
  }
  return n;
}

template <typename Fn>
void ZSetObject::visit(size_t from, size_t to, bool descending, Fn&& fn) const {
  if (to > size()) to = size();
  if (from >= to) return;
  if (!compact()) {
    if (!descending) {
      SkipList::Node* n = big_->list.at_rank(from + 1);
      for (size_t r = from; r < to; ++r, n = n->next()) fn(n->member(), n->score);
    } else {
      SkipList::Node* n = big_->list.at_rank(to);
      for (size_t r = to; r > from; --r, n = n->prev()) fn(n->member(), n->score);
    }
    return;
  }
  if (!descending) {
    size_t pos = 0;
    for (size_t r = 0; r < to; ++r) {
      PackedItem item = read_item(packed_, pos);
      if (r >= from) fn(item.member, item.score);
      pos = item.end;
    }
    return;
  }
  // Packed items only read forwards: note the offsets of the range, then walk them backwards.
  size_t offsets_small[128];
  std::unique_ptr<size_t[]> offsets_big;
  size_t* offsets = offsets_small;
  if (to - from > 128) {
    offsets_big = std::make_unique<size_t[]>(to - from);
    offsets = offsets_big.get();
  }
  size_t pos = 0;
  for (size_t r = 0; r < to; ++r) {
    if (r >= from) offsets[r - from] = pos;
    pos = read_item(packed_, pos).end;
  }
  for (size_t i = to - from; i > 0; --i) {
    PackedItem item = read_item(packed_, offsets[i - 1]);
    fn(item.member, item.score);
  }
}

template <typename Fn>
uint64_t ZSetObject::scan(uint64_t cursor, Fn&& fn) {
  if (compact()) {
    for_each(fn);
    return 0;
  }
  return big_->index.scan(cursor, [&](Entry* e) {
    auto* node = reinterpret_cast<SkipList::Node*>(e->value.int_value());
    fn(node->member(), node->score);
  });
}

}  // namespace cachet::store
