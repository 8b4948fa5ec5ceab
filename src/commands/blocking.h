#pragma once
// Clients blocked on keys (BLPOP and friends). A blocking command that finds nothing asks to
// block; the registry queues the session on each of its keys, first come first served. A
// write to a queued key marks it ready; serve_ready() then re-runs the blocked commands in
// queue order until the key has nothing left to give, exactly as if each client had sent its
// command again. Deadlines are checked by expire_timeouts().
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/session.h"

namespace cachet::commands {

struct CommandSpec;

class BlockingRegistry {
 public:
  void block(Session& session, int db, BlockRequest request, CommandSpec* spec,
             std::vector<std::string> argv);
  void unblock(Session& session);
  // A write happened to `key`: sessions blocked on it get a chance at the next serve_ready().
  void signal(int db, std::string_view key);
  void signal_db(int db);
  // `servable(db, key, type)`: the key now holds a value of `type`. As in Valkey, a blocked
  // command is only re-run when its key holds the type it waits for (a list for BLPOP, a
  // sorted set for BZPOPMIN); a missing key or another type wakes nobody.
  using Servable = std::function<bool(int, std::string_view, store::ValueType)>;
  void serve_ready(const Servable& servable);
  void expire_timeouts(int64_t now_ms);

  bool has_ready() const { return !ready_.empty(); }
  bool empty() const { return blocked_.empty(); }
  size_t blocked_count() const { return blocked_.size(); }
  size_t key_count() const { return queues_.size(); }

 private:
  using Key = std::pair<int, std::string>;
  std::map<Key, std::deque<Session*>> queues_;
  std::set<Session*> blocked_;
  std::vector<Key> ready_;
  bool serving_ = false;  // a re-run command's own pipeline must not serve from inside
};

}  // namespace cachet::commands
