#pragma once
// All numbered databases (SELECT 0..databases-1) and the counters they share.
#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "store/database.h"

namespace cachet::store {

class Keyspace {
 public:
  explicit Keyspace(size_t databases);

  size_t db_count() const { return dbs_.size(); }
  Database& db(size_t index) { return dbs_[index]; }
  KeyspaceStats& stats() { return stats_; }
  // How lookups stamp keys (LRU clock or LFU counter); shared by every database.
  AccessTracking& access() { return access_; }
  void swap(size_t a, size_t b);
  // Told about every key removed by expiry, with its database number.
  void set_expired_observer(std::function<void(size_t db, std::string_view key)> fn);
  // Told about every key added, with its database number.
  void set_created_observer(std::function<void(size_t db, std::string_view key)> fn);
  // Told about every counted keyspace miss, with its database number.
  void set_missed_observer(std::function<void(size_t db, std::string_view key)> fn);
  void flush_all();
  size_t total_keys() const;
  // Runs the active expiry cycle over the databases, resuming where the last call stopped.
  void active_expire_cycle(int64_t now_ms, int64_t deadline_us);
  void periodic_maintenance();

 private:
  void install_observers(size_t index);

  KeyspaceStats stats_;
  AccessTracking access_;
  std::vector<Database> dbs_;
  std::function<void(size_t, std::string_view)> on_expired_;
  std::function<void(size_t, std::string_view)> on_created_;
  std::function<void(size_t, std::string_view)> on_missed_;
  size_t next_expire_db_ = 0;
  uint64_t random_state_ = 0x9e3779b97f4a7c15ULL;
};

}  // namespace cachet::store
