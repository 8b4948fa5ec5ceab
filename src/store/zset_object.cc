#include "store/zset_object.h"

#include <malloc.h>

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
    list_ = std::make_unique<SkipList>();
    index_ = std::make_unique<Dict>();
  }
}

ZSetObject::~ZSetObject() = default;

SkipList::Node* ZSetObject::node_of(std::string_view member) const {
  Entry* e = index_->find(member);
  return e == nullptr ? nullptr : reinterpret_cast<SkipList::Node*>(e->value.int_value());
}

void ZSetObject::index_node(std::string_view member, SkipList::Node* node) {
  Value address = Value::integer(reinterpret_cast<int64_t>(node));
  Entry* e = index_->find(member);
  if (e != nullptr) {
    e->value = std::move(address);
  } else {
    index_->insert(member, std::move(address));
  }
}

size_t ZSetObject::find_packed(std::string_view member) const {
  for (size_t pos = 0; pos < packed_.size();) {
    PackedItem item = read_item(packed_, pos);
    if (item.member == member) return pos;
    pos = item.end;
  }
  return std::string::npos;
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
  std::string encoded;
  packed::append(encoded, member);
  encoded.append(reinterpret_cast<const char*>(&score), sizeof score);
  packed_.insert(pos, encoded);
  ++packed_count_;
}

bool ZSetObject::set(std::string_view member, double score, const ZSetLimits& limits) {
  if (compact()) {
    size_t at = find_packed(member);
    if (at != std::string::npos) {
      PackedItem item = read_item(packed_, at);
      if (item.score == score) return false;
      std::string copy(member);  // the view may point into the buffer being edited
      packed_.erase(item.at, item.end - item.at);
      --packed_count_;
      insert_packed(copy, score);
      return false;
    }
    if (packed_count_ + 1 <= limits.max_listpack_entries &&
        member.size() <= limits.max_listpack_value) {
      insert_packed(member, score);
      return true;
    }
    to_skiplist();
  }
  SkipList::Node* node = node_of(member);
  if (node != nullptr) {
    if (node->score != score) {
      SkipList::Node* moved = list_->rescore(node, score);
      if (moved != node) index_node(moved->member(), moved);
    }
    return false;
  }
  index_node(member, list_->insert(score, member));
  return true;
}

bool ZSetObject::remove(std::string_view member) {
  if (compact()) {
    size_t at = find_packed(member);
    if (at == std::string::npos) return false;
    PackedItem item = read_item(packed_, at);
    packed_.erase(item.at, item.end - item.at);
    --packed_count_;
    return true;
  }
  Entry* e = index_->detach(member);
  if (e == nullptr) return false;
  auto* node = reinterpret_cast<SkipList::Node*>(e->value.int_value());
  list_->erase(node->score, node->member());
  Dict::free_entry(e);
  index_->maybe_shrink();
  return true;
}

std::optional<size_t> ZSetObject::rank(std::string_view member) const {
  if (!compact()) {
    SkipList::Node* n = node_of(member);
    if (n == nullptr) return std::nullopt;
    return list_->rank_of(n->score, n->member()) - 1;
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
    packed_.erase(start, pos - start);
    packed_count_ -= to - from;
    return;
  }
  std::vector<std::string> doomed;
  doomed.reserve(to - from);
  visit(from, to, false, [&](std::string_view m, double) { doomed.emplace_back(m); });
  for (const std::string& m : doomed) remove(m);
}

void ZSetObject::to_skiplist() {
  auto list = std::make_unique<SkipList>();
  auto index = std::make_unique<Dict>();
  for (size_t pos = 0; pos < packed_.size();) {
    PackedItem item = read_item(packed_, pos);
    index->insert(item.member,
                  Value::integer(reinterpret_cast<int64_t>(list->insert(item.score, item.member))));
    pos = item.end;
  }
  list_ = std::move(list);
  index_ = std::move(index);
  packed_.clear();
  packed_.shrink_to_fit();
  packed_count_ = 0;
}

std::unique_ptr<ZSetObject> ZSetObject::clone() const {
  ZSetLimits unlimited{SIZE_MAX, SIZE_MAX};
  auto copy = std::make_unique<ZSetObject>(0, 0, unlimited);
  if (compact()) {
    copy->packed_ = packed_;
    copy->packed_count_ = packed_count_;
    return copy;
  }
  copy->to_skiplist();
  for (SkipList::Node* n = list_->first(); n != nullptr; n = n->next()) {
    copy->index_node(n->member(), copy->list_->insert(n->score, n->member()));
  }
  return copy;
}

size_t ZSetObject::memory_bytes() const {
  size_t bytes = sizeof(ZSetObject) + packed_.capacity();
  if (!compact()) {
    bytes += sizeof(SkipList) + list_->memory_bytes() + sizeof(Dict) + index_->overhead_bytes();
    index_->for_each([&](Entry* e) { bytes += malloc_usable_size(e); });
  }
  return bytes;
}

}  // namespace cachet::store
