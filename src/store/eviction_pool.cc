#include "store/eviction_pool.h"

#include <utility>

namespace cachet::store {

EvictionPool::EvictionPool() {
  for (Candidate& c : slots_) c.key.reserve(kCachedKeyBytes);
}

size_t EvictionPool::size() const { return count_; }

void EvictionPool::clear() {
  for (Candidate& c : slots_) c.used = false;
  count_ = 0;
}

void EvictionPool::offer(uint64_t score, int db, std::string_view key) {
  // First slot whose score is not below ours: we go just before it.
  size_t pos = 0;
  while (pos < count_ && slots_[pos].score < score) ++pos;
  if (count_ == kSize) {
    // Full: a key worse than every kept one is not worth keeping; otherwise the worst (the
    // front) makes room and everything below our place shifts down one.
    if (pos == 0) return;
    --pos;
    for (size_t i = 0; i < pos; ++i) std::swap(slots_[i], slots_[i + 1]);
  } else {
    // Room at the end: shift the better ones up one. Swapping (not copying) keeps each
    // string's reserved buffer in the pool.
    for (size_t i = count_; i > pos; --i) std::swap(slots_[i], slots_[i - 1]);
    ++count_;
  }
  Candidate& c = slots_[pos];
  c.score = score;
  c.db = db;
  c.used = true;
  if (c.key.capacity() > kCachedKeyBytes && key.size() <= kCachedKeyBytes) {
    // A long key grew this buffer earlier; go back to the usual size so one big key does not
    // pin its memory in the pool.
    std::string fresh;
    fresh.reserve(kCachedKeyBytes);
    c.key.swap(fresh);
  }
  c.key.assign(key);
}

}  // namespace cachet::store
