#include "store/zset_object.h"

#include "store/heap_size.h"

#include <malloc.h>

#include <cmath>
#include <vector>

namespace cachet::store {
namespace {
// Sorted-set order: by score, then by member bytes.
bool before_item(double score, std::string_view member, double other_score,
                 std::string_view other_member) {
  return score < other_score || (score == other_score && member < other_member);
}
}  // namespace

ZSetObject::ZSetObject(size_t expected_size, size_t longest_member, const ZSetLimits& limits) {
  if (limits.max_listpack_entries == 0 || expected_size > limits.max_listpack_entries ||
      longest_member > limits.max_listpack_value) {
    big_ = std::make_unique<Big>();
  }
}

ZSetObject::~ZSetObject() = default;

SkipList::Node* ZSetObject::node_of(std::string_view member) const {
  Entry* e = big_->index.find(member);
  return e == nullptr ? nullptr : reinterpret_cast<SkipList::Node*>(e->value.int_value());
}

size_t ZSetObject::find_packed(std::string_view member) const {
  for (size_t pos = 0; pos < packed_.size();) {
    PackedItem item = read_item(packed_, pos);
    if (item.member == member) return pos;
    pos = item.end;
  }
  return std::string::npos;
}

size_t ZSetObject::encode_score(double score, char* out) {
  constexpr double kExact = 9007199254740992.0;  // 2^53: integers below are exact in a double
  if (score == std::trunc(score) && std::fabs(score) < kExact && !(score == 0 && std::signbit(score))) {
    auto v = static_cast<int64_t>(score);
    uint64_t zigzag = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    return packed::encode_length((zigzag << 1) | 1, out);
  }
  out[0] = 0;
  std::memcpy(out + 1, &score, sizeof score);
  return 1 + sizeof score;
}

std::optional<double> ZSetObject::score(std::string_view member) const {
  if (!compact()) {
    SkipList::Node* n = node_of(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }
  size_t at = find_packed(member);
  if (at == std::string::npos) return std::nullopt;
  return read_item(packed_, at).score;
}

void ZSetObject::insert_packed(std::string_view member, double score) {
  size_t pos = 0;
  while (pos < packed_.size()) {
    PackedItem item = read_item(packed_, pos);
    if (before_item(score, member, item.score, item.member)) break;
    pos = item.end;
  }
  char encoded_score[packed::kMaxHeader + sizeof(double)];
  size_t count = packed_.items();
  packed_.replace(pos, 0, packed::encode(member),
                  std::string_view(encoded_score, encode_score(score, encoded_score)));
  packed_.set_items(count + 1);
}

bool ZSetObject::set(std::string_view member, double score, const ZSetLimits& limits) {
  if (compact()) {
    size_t at = find_packed(member);
    if (at != std::string::npos) {
      PackedItem item = read_item(packed_, at);
      if (item.score == score) return false;
      std::string copy(member);  // the view may point into the buffer being edited
      size_t count = packed_.items();
      packed_.erase(item.at, item.end - item.at);
      packed_.set_items(count - 1);
      insert_packed(copy, score);
      return false;
    }
    if (packed_.items() + 1 <= limits.max_listpack_entries &&
        member.size() <= limits.max_listpack_value) {
      insert_packed(member, score);
      return true;
    }
    to_skiplist();
  }
  if (Entry* e = big_->index.find(member)) {
    auto* node = reinterpret_cast<SkipList::Node*>(e->value.int_value());
    if (node->score != score) {
      SkipList::Node* moved = big_->list.rescore(node, score);
      if (moved != node) e->value = Value::integer(reinterpret_cast<int64_t>(moved));
    }
    return false;
  }
  SkipList::Node* node = big_->list.insert(score, member);
  big_->index.insert(member, Value::integer(reinterpret_cast<int64_t>(node)));
  return true;
}

bool ZSetObject::remove(std::string_view member) {
  if (compact()) {
    size_t at = find_packed(member);
    if (at == std::string::npos) return false;
    PackedItem item = read_item(packed_, at);
    size_t count = packed_.items();
    packed_.erase(item.at, item.end - item.at);
    packed_.set_items(count - 1);
    return true;
  }
  Entry* e = big_->index.detach(member);
  if (e == nullptr) return false;
  auto* node = reinterpret_cast<SkipList::Node*>(e->value.int_value());
  big_->list.erase(node->score, node->member());
  Dict::free_entry(e);
  big_->index.maybe_shrink();
  return true;
}

std::optional<size_t> ZSetObject::rank(std::string_view member) const {
  if (!compact()) {
    SkipList::Node* n = node_of(member);
    if (n == nullptr) return std::nullopt;
    return big_->list.rank_of(n->score, n->member()) - 1;
  }
  size_t r = 0;
  for (size_t pos = 0; pos < packed_.size(); ++r) {
    PackedItem item = read_item(packed_, pos);
    if (item.member == member) return r;
    pos = item.end;
  }
  return std::nullopt;
}

void ZSetObject::remove_ranks(size_t from, size_t to) {
  if (to > size()) to = size();
  if (from >= to) return;
  if (compact()) {
    size_t pos = 0, start = 0;
    for (size_t r = 0; r < to; ++r) {
      if (r == from) start = pos;
      pos = read_item(packed_, pos).end;
    }
    size_t count = packed_.items();
    packed_.erase(start, pos - start);
    packed_.set_items(count - (to - from));
    return;
  }
  std::vector<std::string> doomed;
  doomed.reserve(to - from);
  visit(from, to, false, [&](std::string_view m, double) { doomed.emplace_back(m); });
  for (const std::string& m : doomed) remove(m);
}

void ZSetObject::to_skiplist() {
  auto big = std::make_unique<Big>();
  for (size_t pos = 0; pos < packed_.size();) {
    PackedItem item = read_item(packed_, pos);
    auto* node = big->list.insert(item.score, item.member);
    big->index.insert(item.member, Value::integer(reinterpret_cast<int64_t>(node)));
    pos = item.end;
  }
  big_ = std::move(big);
  packed_.clear();
}

std::unique_ptr<ZSetObject> ZSetObject::clone() const {
  ZSetLimits unlimited{SIZE_MAX, SIZE_MAX};
  auto copy = std::make_unique<ZSetObject>(0, 0, unlimited);
  if (compact()) {
    copy->packed_ = packed_;
    return copy;
  }
  copy->to_skiplist();
  for (SkipList::Node* n = big_->list.first(); n != nullptr; n = n->next()) {
    SkipList::Node* node = copy->big_->list.insert(n->score, n->member());
    copy->big_->index.insert(n->member(), Value::integer(reinterpret_cast<int64_t>(node)));
  }
  return copy;
}

size_t ZSetObject::memory_bytes() const {
  // Heap beyond the object itself: a sorted set lives embedded in its key's value.
  size_t bytes = packed_.allocated();
  if (!compact()) {
    bytes += block_bytes(big_.get()) + big_->list.memory_bytes() + big_->index.overhead_bytes();
    big_->index.for_each([&](Entry* e) { bytes += malloc_usable_size(e); });
  }
  return bytes;
}

}  // namespace cachet::store
