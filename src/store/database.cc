#include "store/database.h"

#include <iterator>
#include <vector>

#include "common/clock.h"

namespace cachet::store {
namespace {
constexpr int kSamplesPerLoop = 20;  // ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP in Valkey
constexpr int kRepeatWhenStalePercent = 25;
}  // namespace

bool Database::expire_if_needed(Entry* e, int64_t now_ms) {
  if (!e->has_expire || (expiry_paused_ != nullptr && *expiry_paused_)) return false;
  auto it = expires_.find(e);
  // As Valkey: a key whose time is T is still readable at T and gone after it.
  if (it == expires_.end() || it->second >= now_ms) return false;
  std::string_view key = e->key_view();
  expires_.erase(it);
  if (on_expired_) on_expired_(key);
  Dict::free_entry(dict_.detach(key));
  ++stats_->expired_keys;
  return true;
}

Entry* Database::lookup(std::string_view key, int64_t now_ms, bool touch) {
  Entry* e = dict_.find(key);
  if (e == nullptr || expire_if_needed(e, now_ms)) return nullptr;
  if (touch && !access_->suppressed()) e->lru = access_->touched(e->lru, now_ms);
  return e;
}

Entry* Database::add(std::string_view key, Value value) {
  Entry* e = dict_.insert(key, std::move(value));
  e->lru = access_->initial(now_ms());
  if (on_created_) on_created_(e->key_view());
  return e;
}

Entry* Database::lookup_read(std::string_view key, int64_t now_ms, bool touch) {
  Entry* e = lookup(key, now_ms, touch);
  if (e == nullptr) {
    ++stats_->keyspace_misses;
    if (on_missed_) on_missed_(key);
  } else {
    ++stats_->keyspace_hits;
  }
  return e;
}

Entry* Database::set(std::string_view key, Value value, bool keep_ttl) {
  Entry* e = dict_.find(key);
  if (e == nullptr) return add(key, std::move(value));
  // The access stamp stays: the caller's lookup of the old value was the access (Valkey keeps
  // the old object's LRU/LFU field on an overwrite too).
  e->value = std::move(value);
  if (!keep_ttl && e->has_expire) erase_entry_ttl(e);
  return e;
}

bool Database::remove(std::string_view key) {
  Entry* e = dict_.detach(key);
  if (e == nullptr) return false;
  if (e->has_expire) expires_.erase(e);
  Dict::free_entry(e);
  return true;
}

bool Database::contains_live(std::string_view key, int64_t now_ms) {
  Entry* e = dict_.find(key);
  if (e == nullptr) return false;
  int64_t when = expire_at(e);
  return when == -1 || when >= now_ms;
}

int64_t Database::expire_at(const Entry* e) const {
  if (!e->has_expire) return -1;
  auto it = expires_.find(e);
  return it == expires_.end() ? -1 : it->second;
}

void Database::set_expire(Entry* e, int64_t when_ms) {
  expires_[e] = when_ms;
  e->has_expire = 1;
}

void Database::erase_entry_ttl(const Entry* e) {
  expires_.erase(e);
  const_cast<Entry*>(e)->has_expire = 0;
}

bool Database::persist(Entry* e) {
  if (!e->has_expire) return false;
  erase_entry_ttl(e);
  return true;
}

size_t Database::expires_overhead_bytes() const {
  // A node per key (next pointer, key, value, cached hash) and the bucket array.
  constexpr size_t kNode = 4 * sizeof(void*);
  return expires_.size() * kNode + expires_.bucket_count() * sizeof(void*);
}

size_t Database::sample_volatile(uint64_t random, size_t max, Entry** entries,
                                 int64_t* expire_at_ms) {
  if (expires_.empty() || max == 0) return 0;
  size_t buckets = expires_.bucket_count();
  size_t b = (random >> 17) % buckets;
  size_t n = 0;
  // Consecutive buckets from a random start, as Valkey's dictGetSomeKeys; bounded so a sparse
  // table costs a few probes per wanted key at most.
  for (size_t visited = 0; visited < buckets && n < max && visited < max * 10; ++visited) {
    for (auto it = expires_.begin(b); it != expires_.end(b) && n < max; ++it) {
      entries[n] = const_cast<Entry*>(it->first);
      expire_at_ms[n] = it->second;
      ++n;
    }
    b = (b + 1) % buckets;
  }
  return n;
}

Entry* Database::random_volatile(uint64_t random) {
  if (expires_.empty()) return nullptr;
  size_t buckets = expires_.bucket_count();
  uint64_t r = random;
  for (size_t attempt = 0; attempt < buckets * 4 + 64; ++attempt) {
    r = r * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t b = (r >> 17) % buckets;
    size_t len = expires_.bucket_size(b);
    if (len == 0) continue;
    auto it = expires_.begin(b);
    std::advance(it, static_cast<long>((r >> 7) % len));
    return const_cast<Entry*>(it->first);
  }
  return const_cast<Entry*>(expires_.begin()->first);
}

void Database::clear() {
  expires_.clear();
  dict_.clear();
  avg_ttl_ = 0;
}

void Database::periodic_maintenance() {
  dict_.maybe_shrink();
  dict_.rehash_step(100);
}

size_t Database::active_expire(int64_t now_ms, int64_t deadline_us, uint64_t* random_state) {
  size_t removed_total = 0;
  std::vector<const Entry*> expired;
  while (!expires_.empty()) {
    expired.clear();
    int sampled = 0;
    int64_t ttl_sum = 0;
    int ttl_samples = 0;
    size_t buckets = expires_.bucket_count();
    *random_state = *random_state * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t b = (*random_state >> 17) % buckets;
    // Walk buckets from a random start until a sample's worth of keys has been seen.
    for (size_t visited = 0; visited < buckets && sampled < kSamplesPerLoop; ++visited) {
      for (auto it = expires_.begin(b); it != expires_.end(b); ++it) {
        ++sampled;
        if (it->second < now_ms) {
          expired.push_back(it->first);
        } else {
          ttl_sum += it->second - now_ms;
          ++ttl_samples;
        }
      }
      b = (b + 1) % buckets;
    }
    if (ttl_samples > 0) {
      int64_t sample_avg = ttl_sum / ttl_samples;
      // A running estimate, as Valkey keeps: new samples weigh 2%.
      avg_ttl_ = avg_ttl_ == 0 ? sample_avg : (avg_ttl_ / 50) * 49 + sample_avg / 50;
    }
    for (const Entry* e : expired) {
      std::string_view key = e->key_view();
      expires_.erase(e);
      if (on_expired_) on_expired_(key);
      Dict::free_entry(dict_.detach(key));
      ++stats_->expired_keys;
    }
    removed_total += expired.size();
    if (sampled == 0 || static_cast<int>(expired.size()) * 100 / sampled <= kRepeatWhenStalePercent)
      break;
    if (monotonic_us() > deadline_us) break;
  }
  if (expires_.empty()) avg_ttl_ = 0;
  return removed_total;
}

}  // namespace cachet::store
