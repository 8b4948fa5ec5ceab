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

void WatchRegistry::touch(int db, std::string_view key) {
  if (by_key_.empty()) return;
  auto it = by_key_.find(KeyView(db, key));
  if (it == by_key_.end()) return;
  for (Session* s : it->second) s->watch_dirty = true;
}

void WatchRegistry::touch_db(int db, const std::function<bool(std::string_view)>& existed) {
  for (auto it = by_key_.lower_bound(KeyView(db, ""));
       it != by_key_.end() && it->first.first == db; ++it) {
    if (!existed(it->first.second)) continue;
    for (Session* s : it->second) s->watch_dirty = true;
  }
}

size_t WatchRegistry::watching_sessions() const {
  std::set<const Session*> sessions;
  for (const auto& [key, list] : by_key_) sessions.insert(list.begin(), list.end());
  return sessions.size();
}

}  // namespace cachet::commands
