#include "commands/engine.h"

#include "commands/session.h"
#include "store/memory.h"

namespace cachet::commands {

void Engine::memory_config_changed() {
  keyspace.access().configure(is_lfu_policy(config.maxmemory_policy), config.lfu_log_factor,
                              config.lfu_decay_time);
  store::set_memory_limit(static_cast<size_t>(config.maxmemory));
}

void Engine::discard_transaction(Session& session) {
  session.in_multi = false;
  session.multi_aborted = false;
  session.queued.clear();
  watches.unwatch_all(session);
}

void Engine::database_emptied(int db) {
  blocking.signal_db(db);
  store::Database& d = keyspace.db(static_cast<size_t>(db));
  dirty += d.size();
  if (watches.empty()) return;
  int64_t now = now_ms();
  watches.for_each_watch(db, [&](Session& s, WatchedKey& w) {
    if (d.contains_live(w.key, now)) s.watch_dirty = true;
  });
}

// As Valkey: a watched key changes if a live value is on either side of the swap; a stale
// value arriving in its place is no change, but is remembered as stale so that EXEC does not
// take its expiry for one.
void Engine::databases_swapped(int a, int b) {
  blocking.signal_db(a);
  blocking.signal_db(b);
  if (watches.empty()) return;
  store::Database& da = keyspace.db(static_cast<size_t>(a));
  store::Database& db = keyspace.db(static_cast<size_t>(b));
  int64_t now = now_ms();
  auto check = [&](store::Database& current, store::Database& incoming) {
    return [&](Session& s, WatchedKey& w) {
      if (current.contains_live(w.key, now) || incoming.contains_live(w.key, now)) {
        s.watch_dirty = true;
      } else {
        w.expired_when_watched = incoming.dict().find(w.key) != nullptr;
      }
    };
  };
  watches.for_each_watch(a, check(da, db));
  watches.for_each_watch(b, check(db, da));
}

}  // namespace cachet::commands
