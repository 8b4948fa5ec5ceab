#pragma once
// What commands act on: the keyspace, the running configuration, the command table and the
// server-wide counters. Owned by the server; passed to every command through its context.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "commands/blocking.h"
#include "commands/command_table.h"
#include "commands/eviction.h"
#include "commands/notifications.h"
#include "commands/propagation.h"
#include "commands/pubsub_registry.h"
#include "commands/watch_registry.h"
#include "common/clock.h"
#include "config/server_config.h"
#include "store/keyspace.h"

namespace cachet::commands {

struct ServerStats {
  int64_t start_time_us = 0;
  uint64_t total_commands_processed = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t client_query_buffer_limit_disconnections = 0;
  uint64_t client_output_buffer_limit_disconnections = 0;
  uint64_t evicted_keys = 0;
  // INFO errorstats: replies counted by their error code ("ERR", "WRONGTYPE", ...).
  std::map<std::string, uint64_t, std::less<>> errors_by_code;

  void count_error(std::string_view message) {
    ++total_error_replies;
    std::string_view code = message.substr(0, message.find(' '));
    auto it = errors_by_code.find(code);
    if (it == errors_by_code.end()) {
      errors_by_code.emplace(std::string(code), 1);
    } else {
      ++it->second;
    }
  }
};

class Engine {
 public:
  explicit Engine(config::ServerConfig* config)
      : config(*config), keyspace(static_cast<size_t>(config->databases)) {
    keyspace.set_expired_observer([this](size_t db, std::string_view key) {
      watches.touch(static_cast<int>(db), key, /*by_expiry=*/true);
      notify(kNotifyExpired, "expired", static_cast<int>(db), key);
      propagate_deletion(static_cast<int>(db), key, this->config.lazyfree_lazy_expire);
    });
    keyspace.set_created_observer([this](size_t db, std::string_view key) {
      notify(kNotifyNew, "new", static_cast<int>(db), key);
    });
    keyspace.set_missed_observer([this](size_t db, std::string_view key) {
      notify(kNotifyKeyMiss, "keymiss", static_cast<int>(db), key);
    });
  }

  config::ServerConfig& config;
  store::Keyspace keyspace;
  CommandTable commands;
  ServerStats stats;
  uint64_t dirty = 0;  // changes since the last save (rdb_changes_since_last_save)
  bool active_expire_enabled = true;
  WatchRegistry watches;
  BlockingRegistry blocking;
  PubSubRegistry pubsub;
  EventSink* event_sink = nullptr;  // keyspace notifications; set by the server
  // After FLUSHALL: the server stops a background save of the old data and, with save
  // points configured, saves the now empty dataset, as Valkey does.
  std::function<void()> after_flushall;
  Eviction eviction;
  Propagator propagation;  // what writes hand on to the AOF (and, later, replicas)
  bool evictions_paused = false;  // CLIENT PAUSE in force: the dataset must not change

  // After maxmemory, maxmemory-policy or the LFU parameters change (and at start-up): how
  // keys are stamped, and the limit hash tables consult before growing.
  void memory_config_changed();

  // A keyspace event of class `cls` (NotifyClass) named `event` happened to `key`. With
  // notifications off (the default) this is one AND: writes pay nothing more.
  void notify(uint32_t cls, std::string_view event, int db, std::string_view key) {
    if ((config.notify_keyspace_events & cls) == 0 || event_sink == nullptr) return;
    event_sink->keyspace_event(cls, event, db, key);
  }

  // Every write to a key goes through here: it is the seam for WATCH, keyspace notifications
  // and persistence counters. `changes` is what the write adds to rdb_changes_since_last_save,
  // counted as Valkey counts it: per element for multi-element commands (LPUSH of 3 is 3),
  // once for a move between two keys, not at all for an eviction.
  void key_modified(int db, std::string_view key, uint64_t changes = 1) {
    dirty += changes;
    watches.touch(db, key);
    blocking.signal(db, key);
  }
  // A key the server removed on its own (expiry, eviction) is recorded as removed, so a
  // replay does not depend on the clock or on memory; UNLINK when it is freed lazily.
  void propagate_deletion(int db, std::string_view key, bool lazy) {
    if (propagation.enabled()) propagation.also(db, {lazy ? "UNLINK" : "DEL", key});
  }
  // Leaves MULTI: the queue, the abort flag and the watched keys are dropped.
  void discard_transaction(Session& session);
  // Before database `db` is emptied: its watched keys that exist count as modified.
  void database_emptied(int db);
  // Before databases `a` and `b` trade places: a watched key in either that exists in either
  // now sees a different value.
  void databases_swapped(int a, int b);
};

}  // namespace cachet::commands
