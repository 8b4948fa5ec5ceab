#pragma once
// One numbered database: its keys and their expiry times. Expired keys are removed lazily when
// touched and by the active cycle that samples keys with a TTL, as Redis does, so memory is
// reclaimed even for keys nobody reads again.
#include <cstdint>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "store/access_clock.h"
#include "store/dict.h"

namespace cachet::store {

struct KeyspaceStats {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_stale_perc_samples = 0;
};

class Database {
 public:
  // `expiry_paused`, when given and true, keeps expired keys in place (see
  // Keyspace::pause_expiry).
  Database(KeyspaceStats* stats, AccessTracking* access, const bool* expiry_paused = nullptr)
      : stats_(stats), access_(access), expiry_paused_(expiry_paused) {}
  Database(Database&&) = default;
  Database& operator=(Database&&) = default;

  // The live entry for `key`, expiring it first when its time has passed; nullptr if absent.
  // Stamps the access (LRU clock or LFU counter) unless `touch` is false (OBJECT IDLETIME
  // must not reset it).
  Entry* lookup(std::string_view key, int64_t now_ms, bool touch = true);
  // As lookup, and counts a keyspace hit or miss (read commands).
  Entry* lookup_read(std::string_view key, int64_t now_ms, bool touch = true);
  // Stores `value` under `key`, replacing any value; the TTL is dropped unless keep_ttl.
  Entry* set(std::string_view key, Value value, bool keep_ttl);
  // Adds a key known to be absent (after a lookup said so).
  Entry* add(std::string_view key, Value value);
  bool remove(std::string_view key);

  // Whether `key` holds a value that has not expired, without expiring anything.
  bool contains_live(std::string_view key, int64_t now_ms);
  // Absolute expiry in unix ms, or -1 when the key has no TTL.
  int64_t expire_at(const Entry* e) const;
  void set_expire(Entry* e, int64_t when_ms);
  bool persist(Entry* e);

  size_t size() const { return dict_.size(); }
  size_t expires_size() const { return expires_.size(); }
  int64_t avg_ttl() const { return avg_ttl_; }
  Dict& dict() { return dict_; }
  // Bytes of the expiry index beyond the entries themselves (INFO's overhead figures).
  size_t expires_overhead_bytes() const;
  // Up to `max` keys with a TTL from a random spot of the expiry index, with their expiry
  // times, for volatile-* eviction; returns how many were written.
  size_t sample_volatile(uint64_t random, size_t max, Entry** entries, int64_t* expire_at_ms);
  // A key with a TTL, chosen at random; nullptr when there is none.
  Entry* random_volatile(uint64_t random);

  // One pass of the active expiry cycle over this database: samples keys with a TTL, removes
  // the expired ones, and repeats while more than a quarter of a sample was expired. Stops
  // once `deadline_us` (monotonic) passes. Returns the number of keys removed.
  size_t active_expire(int64_t now_ms, int64_t deadline_us, uint64_t* random_state);
  void clear();
  void periodic_maintenance();
  // Told about every key the expiry machinery removes (WATCH, keyspace notifications).
  void set_expired_observer(std::function<void(std::string_view key)> fn) {
    on_expired_ = std::move(fn);
  }
  // Told about every key added, after it is in place (the "new" keyspace event).
  void set_created_observer(std::function<void(std::string_view key)> fn) {
    on_created_ = std::move(fn);
  }
  // Told about every miss lookup_read counts (the "keymiss" keyspace event).
  void set_missed_observer(std::function<void(std::string_view key)> fn) {
    on_missed_ = std::move(fn);
  }

 private:
  bool expire_if_needed(Entry* e, int64_t now_ms);
  void erase_entry_ttl(const Entry* e);

  Dict dict_;
  std::unordered_map<const Entry*, int64_t> expires_;
  KeyspaceStats* stats_;
  AccessTracking* access_;
  const bool* expiry_paused_;
  int64_t avg_ttl_ = 0;
  std::function<void(std::string_view)> on_expired_;
  std::function<void(std::string_view)> on_created_;
  std::function<void(std::string_view)> on_missed_;
};

}  // namespace cachet::store
