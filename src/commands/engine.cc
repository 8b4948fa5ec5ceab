#include "commands/engine.h"

namespace cachet::commands {

void Engine::database_emptied(int db) {
  store::Database& d = keyspace.db(static_cast<size_t>(db));
  dirty += d.size();
  if (watches.empty()) return;
  int64_t now = now_ms();
  watches.touch_db(db, [&](std::string_view key) { return d.lookup(key, now, false) != nullptr; });
}

void Engine::databases_swapped(int a, int b) {
  if (watches.empty()) return;
  store::Database& da = keyspace.db(static_cast<size_t>(a));
  store::Database& db = keyspace.db(static_cast<size_t>(b));
  int64_t now = now_ms();
  auto in_either = [&](std::string_view key) {
    return da.lookup(key, now, false) != nullptr || db.lookup(key, now, false) != nullptr;
  };
  watches.touch_db(a, in_either);
  watches.touch_db(b, in_either);
}

}  // namespace cachet::commands
