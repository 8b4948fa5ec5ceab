#include "store/evictor.h"

#include <limits>

namespace cachet::store {

uint64_t Evictor::next_random() {
  random_state_ = random_state_ * 6364136223846793005ULL + 1442695040888963407ULL;
  return random_state_ ^ (random_state_ >> 29);
}

bool Evictor::choose(Keyspace& keyspace, const EvictionPolicy& policy, size_t samples,
                     int64_t now_ms, int* db, std::string* key) {
  if (policy.order == EvictionOrder::kRandom) return choose_random(keyspace, policy, db, key);
  return choose_from_pool(keyspace, policy, samples, now_ms, db, key);
}

size_t Evictor::populate(Keyspace& keyspace, size_t index, const EvictionPolicy& policy,
                         size_t samples, int64_t now_ms) {
  Database& d = keyspace.db(index);
  sampled_.resize(samples);
  sampled_ttl_.resize(samples);
  size_t n = policy.volatile_only
                 ? d.sample_volatile(next_random(), samples, sampled_.data(), sampled_ttl_.data())
                 : d.dict().sample(next_random(), samples, sampled_.data());
  int64_t decay = keyspace.access().lfu_decay_time();
  for (size_t i = 0; i < n; ++i) {
    const Entry* e = sampled_[i];
    // Higher scores are evicted first.
    uint64_t score = 0;
    switch (policy.order) {
      case EvictionOrder::kLru:
        score = static_cast<uint64_t>(idle_ms(e->lru, now_ms));
        break;
      case EvictionOrder::kLfu:
        score = 255 - lfu_decayed_counter(e->lru, now_ms, decay);
        break;
      case EvictionOrder::kTtl: {
        // Sampled from the expiry index, so the time is at hand (allkeys-ttl does not exist).
        int64_t when = policy.volatile_only ? sampled_ttl_[i] : d.expire_at(e);
        score = std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(when);
        break;
      }
      case EvictionOrder::kRandom:
        break;
    }
    pool_.offer(score, static_cast<int>(index), e->key_view());
  }
  return n;
}

bool Evictor::choose_from_pool(Keyspace& keyspace, const EvictionPolicy& policy,
                               size_t samples, int64_t now_ms, int* db, std::string* key) {
  auto present = [&](int index, std::string_view name) {
    Entry* e = keyspace.db(static_cast<size_t>(index)).dict().find(name);
    return e != nullptr && (!policy.volatile_only || e->has_expire);
  };
  // Rounds only repeat when every pooled key turned out to be a ghost; the bound is a safety
  // net against a sampler that keeps finding nothing, not a limit ever reached in practice.
  constexpr int kMaxRounds = 1000;
  for (int round = 0; round < kMaxRounds; ++round) {
    // Every database is sampled each round, so the choice is not local to one of them.
    size_t candidates = 0;
    for (size_t i = 0; i < keyspace.db_count(); ++i) {
      Database& d = keyspace.db(i);
      size_t keys = policy.volatile_only ? d.expires_size() : d.size();
      if (keys == 0) continue;
      candidates += keys;
      populate(keyspace, i, policy, samples, now_ms);
    }
    if (candidates == 0) return false;
    if (pool_.take_best(present, db, key)) return true;
  }
  return false;
}

bool Evictor::choose_random(Keyspace& keyspace, const EvictionPolicy& policy, int* db,
                            std::string* key) {
  size_t count = keyspace.db_count();
  for (size_t i = 0; i < count; ++i) {
    next_db_ = (next_db_ + 1) % count;
    Database& d = keyspace.db(next_db_);
    Entry* e = policy.volatile_only ? d.random_volatile(next_random())
                                    : d.dict().random_entry(next_random());
    if (e != nullptr) {
      *db = static_cast<int>(next_db_);
      key->assign(e->key_view());
      return true;
    }
  }
  return false;
}

}  // namespace cachet::store
