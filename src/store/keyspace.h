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
  // While paused, nothing expires: lookups see keys whose time has passed and the active
  // cycle does not run. An AOF replay needs this: the file records each expiry as a DEL at
  // the point it happened, and a key must live until then for the commands before it.
  void pause_expiry(bool paused) { expiry_paused_ = paused; }
  bool expiry_paused() const { return expiry_paused_; }

 private:
  void install_observers(size_t index);

  KeyspaceStats stats_;
  AccessTracking access_;
  std::vector<Database> dbs_;
  std::function<void(size_t, std::string_view)> on_expired_;
  std::function<void(size_t, std::string_view)> on_created_;
  std::function<void(size_t, std::string_view)> on_missed_;
  size_t next_expire_db_ = 0;
  bool expiry_paused_ = false;
  uint64_t random_state_ = 0x9e3779b97f4a7c15ULL;
};

}  // namespace cachet::store
