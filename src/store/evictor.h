#pragma once
// Chooses which key maxmemory eviction removes next, by policy: approximated LRU, LFU or
// soonest TTL through the EvictionPool (sampling maxmemory-samples keys of every database
// per round), or a random key taken from each database in turn. Over all keys or, for the
// volatile-* policies, only keys with a TTL. Deleting the key, and everything that must hear
// about it, is the caller's business (commands/eviction.cc).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/eviction_pool.h"
#include "store/keyspace.h"

namespace cachet::store {

enum class EvictionOrder { kLru, kLfu, kTtl, kRandom };

struct EvictionPolicy {
  bool volatile_only = false;  // volatile-*: only keys with a TTL are candidates
  EvictionOrder order = EvictionOrder::kLru;
};

class Evictor {
 public:
  // The next key to evict under `policy`: its database and name. False when no key qualifies.
  bool choose(Keyspace& keyspace, const EvictionPolicy& policy, size_t samples, int64_t now_ms,
              int* db, std::string* key);
  EvictionPool& pool() { return pool_; }

 private:
  bool choose_from_pool(Keyspace& keyspace, const EvictionPolicy& policy, size_t samples,
                        int64_t now_ms, int* db, std::string* key);
  bool choose_random(Keyspace& keyspace, const EvictionPolicy& policy, int* db,
                     std::string* key);
  // Samples database `index` once and offers what it found to the pool; returns how many keys.
  size_t populate(Keyspace& keyspace, size_t index, const EvictionPolicy& policy,
                  size_t samples, int64_t now_ms);
  uint64_t next_random();

  EvictionPool pool_;
  std::vector<Entry*> sampled_;
  std::vector<int64_t> sampled_ttl_;
  uint64_t random_state_ = 0x853c49e6748fea9bULL;
  size_t next_db_ = 0;  // random policies visit the databases in turn
};

}  // namespace cachet::store
