#pragma once
// The candidate pool of approximated LRU/LFU/TTL eviction, as Valkey keeps it: each eviction
// samples a few keys (maxmemory-samples) and offers them here with a score (idle time,
// 255 - LFU counter, or how soon the TTL ends: higher means evict sooner). The pool keeps
// the 16 best-scoring keys seen across samplings, so a good candidate found earlier is not
// forgotten just because the next sample missed it; evicting takes the best one still present.
//
// Keys are copied by name (an entry may be freed before it is picked) into strings whose
// capacity is kept, so the steady state allocates nothing for keys up to kCachedKeyBytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cachet::store {

class EvictionPool {
 public:
  static constexpr size_t kSize = 16;
  static constexpr size_t kCachedKeyBytes = 255;

  struct Candidate {
    uint64_t score = 0;
    int db = 0;
    bool used = false;
    std::string key;
  };

  EvictionPool();

  // Offers a sampled key. It is kept if the pool has room or it scores above the pool's
  // worst; then the worst is dropped.
  void offer(uint64_t score, int db, std::string_view key);
  // Takes candidates from the best down until `exists(db, key)` says one is still there
  // (others are ghosts: deleted or changed since sampled, and dropped). Copies the winner into
  // `*key` and `*db`; false once the pool is empty.
  template <typename Exists>
  bool take_best(Exists&& exists, int* db, std::string* key);

  size_t size() const;
  const Candidate& at(size_t i) const { return slots_[i]; }
  void clear();

 private:
  // Kept in ascending score order, the used slots packed at the front.
  std::array<Candidate, kSize> slots_;
  size_t count_ = 0;
};

template <typename Exists>
bool EvictionPool::take_best(Exists&& exists, int* db, std::string* key) {
  while (count_ > 0) {
    Candidate& best = slots_[--count_];
    best.used = false;
    if (exists(best.db, std::string_view(best.key))) {
      *db = best.db;
      key->assign(best.key);
      return true;
    }
  }
  return false;
}

}  // namespace cachet::store
