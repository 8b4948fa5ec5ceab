#pragma once
// The ordered half of a large sorted set: a skip list of (score, member) nodes ordered by score
// then by member bytes. Every forward link carries its span (how many nodes it jumps), so the
// rank of a node, the node at a rank and the number of nodes before a bound are all
// O(log n), which is what ZRANK, ZRANGE by index and ZCOUNT need.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cachet::store {

class SkipList {
 public:
  static constexpr int kMaxHeight = 32;

  struct Node {
    struct Link {
      Node* forward;
      size_t span;
    };
    double score;
    Node* backward;
    uint32_t member_len;
    uint8_t height;
    Link links[];  // `height` links, then the member's bytes

    std::string_view member() const {
      return {reinterpret_cast<const char*>(links + height), member_len};
    }
    Node* next() const { return links[0].forward; }
    Node* prev() const { return backward; }
  };

  SkipList();
  ~SkipList();
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  size_t size() const { return length_; }
  Node* first() const { return head_->links[0].forward; }
  Node* last() const { return tail_; }

  // The member must not be in the list already.
  Node* insert(double score, std::string_view member);
  // Removes the node with exactly this score and member; false when there is none.
  bool erase(double score, std::string_view member);
  // Gives `node` a new score and returns it; the node may be replaced by a new one.
  Node* rescore(Node* node, double score);

  // 1-based rank of the node with this score and member, 0 when there is none.
  size_t rank_of(double score, std::string_view member) const;
  // The node at 1-based `rank`, nullptr when out of range.
  Node* at_rank(size_t rank) const;
  // How many leading nodes satisfy `before(score, member)`; `before` must hold for a prefix
  // of the list and nothing after it (e.g. "score < min").
  template <typename Before>
  size_t count_before(Before&& before) const;

  size_t memory_bytes() const { return bytes_; }

 private:
  static bool less(double score, std::string_view member, const Node* n) {
    return score < n->score || (score == n->score && member < n->member());
  }
  Node* make_node(int height, double score, std::string_view member);
  void free_node(Node* n);
  int random_height();
  // Unlinks x, given the rightmost node before it at each level.
  void unlink(Node* x, Node** update);

  Node* head_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int height_ = 1;
  size_t bytes_ = 0;
  uint64_t rng_state_ = 0x9E3779B97F4A7C15ULL;
};

template <typename Before>
size_t SkipList::count_before(Before&& before) const {
  const Node* x = head_;
  size_t rank = 0;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->links[i].forward != nullptr &&
           before(x->links[i].forward->score, x->links[i].forward->member())) {
      rank += x->links[i].span;
      x = x->links[i].forward;
    }
  }
  return rank;
}

}  // namespace cachet::store
