#include "commands/watch_registry.h"

#include <algorithm>
#include <set>

#include "commands/session.h"

namespace cachet::commands {

void WatchRegistry::watch(Session& session, int db, std::string_view key, bool expired_now) {
  for (const WatchedKey& w : session.watched)
    if (w.db == db && w.key == key) return;  // watching twice changes nothing
  session.watched.push_back({db, std::string(key), expired_now});
  by_key_[{db, std::string(key)}].push_back(&session);
}

void WatchRegistry::unwatch_all(Session& session) {
  for (const WatchedKey& w : session.watched) {
    auto it = by_key_.find(KeyView(w.db, w.key));
    if (it == by_key_.end()) continue;
    std::erase(it->second, &session);
    if (it->second.empty()) by_key_.erase(it);
  }
  session.watched.clear();
  session.watch_dirty = false;
}

void WatchRegistry::touch(int db, std::string_view key, bool by_expiry) {
  if (by_key_.empty()) return;
  auto it = by_key_.find(KeyView(db, key));
  if (it == by_key_.end()) return;
  for (Session* s : it->second) {
    for (WatchedKey& w : s->watched) {
      if (w.db != db || w.key != key) continue;
      if (w.expired_when_watched) {
        // Stale when watched: its deletion changes nothing it could have read; from now on
        // it is a missing key like any other, and a write to it does count.
        if (by_expiry) {
          w.expired_when_watched = false;
          break;
        }
      }
      s->watch_dirty = true;
      break;
    }
  }
}

void WatchRegistry::for_each_watch(int db,
                                   const std::function<void(Session&, WatchedKey&)>& fn) {
  for (auto it = by_key_.lower_bound(KeyView(db, ""));
       it != by_key_.end() && it->first.first == db; ++it) {
    for (Session* s : it->second) {
      for (WatchedKey& w : s->watched)
        if (w.db == db && w.key == it->first.second) fn(*s, w);
    }
  }
}

size_t WatchRegistry::watching_sessions() const {
  std::set<const Session*> sessions;
  for (const auto& [key, list] : by_key_) sessions.insert(list.begin(), list.end());
  return sessions.size();
}

}  // namespace cachet::commands
