#include "store/skiplist.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace cachet::store {

SkipList::SkipList() { head_ = make_node(kMaxHeight, 0, {}); }

SkipList::~SkipList() {
  Node* x = head_;
  while (x != nullptr) {
    Node* next = x->links[0].forward;
    free_node(x);
    x = next;
  }
}

SkipList::Node* SkipList::make_node(int height, double score, std::string_view member) {
  size_t size = sizeof(Node) + static_cast<size_t>(height) * sizeof(Node::Link) + member.size();
  auto* n = static_cast<Node*>(std::malloc(size));
  if (n == nullptr) throw std::bad_alloc();
  n->score = score;
  n->backward = nullptr;
  n->member_len = static_cast<uint32_t>(member.size());
  n->height = static_cast<uint8_t>(height);
  for (int i = 0; i < height; ++i) n->links[i] = {nullptr, 0};
  if (!member.empty()) std::memcpy(n->links + height, member.data(), member.size());
  bytes_ += malloc_usable_size(n);
  return n;
}

void SkipList::free_node(Node* n) {
  bytes_ -= malloc_usable_size(n);
  std::free(n);
}

// Each level holds a quarter of the one below, as in Valkey: with spans this keeps searches
// near log4(n) steps per level at about 1.33 links per node.
int SkipList::random_height() {
  int height = 1;
  while (height < kMaxHeight) {
    rng_state_ ^= rng_state_ << 13;
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    if ((rng_state_ & 3) != 0) break;
    ++height;
  }
  return height;
}

SkipList::Node* SkipList::insert(double score, std::string_view member) {
  Node* update[kMaxHeight];
  size_t rank[kMaxHeight];
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    rank[i] = i == height_ - 1 ? 0 : rank[i + 1];
    while (x->links[i].forward != nullptr && !less(score, member, x->links[i].forward)) {
      rank[i] += x->links[i].span;
      x = x->links[i].forward;
    }
    update[i] = x;
  }
  int height = random_height();
  if (height > height_) {
    for (int i = height_; i < height; ++i) {
      rank[i] = 0;
      update[i] = head_;
      head_->links[i].span = length_;
    }
    height_ = height;
  }
  x = make_node(height, score, member);
  for (int i = 0; i < height; ++i) {
    x->links[i].forward = update[i]->links[i].forward;
    update[i]->links[i].forward = x;
    x->links[i].span = update[i]->links[i].span - (rank[0] - rank[i]);
    update[i]->links[i].span = rank[0] - rank[i] + 1;
  }
  for (int i = height; i < height_; ++i) ++update[i]->links[i].span;
  x->backward = update[0] == head_ ? nullptr : update[0];
  if (x->links[0].forward != nullptr) {
    x->links[0].forward->backward = x;
  } else {
    tail_ = x;
  }
  ++length_;
  return x;
}

void SkipList::unlink(Node* x, Node** update) {
  for (int i = 0; i < height_; ++i) {
    if (update[i]->links[i].forward == x) {
      update[i]->links[i].span += x->links[i].span - 1;
      update[i]->links[i].forward = x->links[i].forward;
    } else {
      --update[i]->links[i].span;
    }
  }
  if (x->links[0].forward != nullptr) {
    x->links[0].forward->backward = x->backward;
  } else {
    tail_ = x->backward;
  }
  while (height_ > 1 && head_->links[height_ - 1].forward == nullptr) --height_;
  --length_;
}

bool SkipList::erase(double score, std::string_view member) {
  Node* update[kMaxHeight];
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->links[i].forward != nullptr &&
           (x->links[i].forward->score < score ||
            (x->links[i].forward->score == score && x->links[i].forward->member() < member))) {
      x = x->links[i].forward;
    }
    update[i] = x;
  }
  x = x->links[0].forward;
  if (x == nullptr || x->score != score || x->member() != member) return false;
  unlink(x, update);
  free_node(x);
  return true;
}

SkipList::Node* SkipList::rescore(Node* node, double score) {
  // Still between its neighbours: only the score changes.
  std::string_view member = node->member();
  bool after_prev = node->backward == nullptr || node->backward->score < score ||
                    (node->backward->score == score && node->backward->member() < member);
  Node* next = node->links[0].forward;
  bool before_next = next == nullptr || less(score, member, next);
  if (after_prev && before_next) {
    node->score = score;
    return node;
  }
  std::string copy(member);
  erase(node->score, copy);
  return insert(score, copy);
}

size_t SkipList::rank_of(double score, std::string_view member) const {
  const Node* x = head_;
  size_t rank = 0;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->links[i].forward != nullptr &&
           (x->links[i].forward->score < score ||
            (x->links[i].forward->score == score && x->links[i].forward->member() <= member))) {
      rank += x->links[i].span;
      x = x->links[i].forward;
    }
    if (x != head_ && x->score == score && x->member() == member) return rank;
  }
  return 0;
}

SkipList::Node* SkipList::at_rank(size_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  Node* x = head_;
  size_t traversed = 0;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->links[i].forward != nullptr && traversed + x->links[i].span <= rank) {
      traversed += x->links[i].span;
      x = x->links[i].forward;
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

}  // namespace cachet::store
