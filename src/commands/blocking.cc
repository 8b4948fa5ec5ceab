#include "commands/blocking.h"

#include <algorithm>

#include "commands/context.h"
#include "commands/session.h"

namespace cachet::commands {

void BlockingRegistry::block(Session& s, int db, BlockRequest request, CommandSpec* spec,
                             std::vector<std::string> argv) {
  std::vector<std::string> keys = std::move(request.keys);
  s.block.active = true;
  s.block.db = db;
  s.block.deadline_ms = request.deadline_ms;
  s.block.wait_type = request.wait_type;
  s.block.spec = spec;
  s.block.argv = std::move(argv);
  s.block.keys.clear();
  for (std::string& k : keys) {
    if (std::find(s.block.keys.begin(), s.block.keys.end(), k) != s.block.keys.end()) continue;
    queues_[{db, k}].push_back(&s);
    s.block.keys.push_back(std::move(k));
  }
  blocked_.insert(&s);
}

void BlockingRegistry::unblock(Session& s) {
  if (!s.block.active) return;
  for (const std::string& k : s.block.keys) {
    auto it = queues_.find({s.block.db, k});
    if (it == queues_.end()) continue;
    std::erase(it->second, &s);
    if (it->second.empty()) queues_.erase(it);
  }
  blocked_.erase(&s);
  s.block = BlockState{};
}

void BlockingRegistry::signal(int db, std::string_view key) {
  if (queues_.empty()) return;
  Key k{db, std::string(key)};
  if (queues_.count(k) != 0 && std::find(ready_.begin(), ready_.end(), k) == ready_.end()) {
    ready_.push_back(std::move(k));
  }
}

void BlockingRegistry::signal_db(int db) {
  for (const auto& [key, sessions] : queues_)
    if (key.first == db) signal(db, key.second);
}

void BlockingRegistry::serve_ready(const Servable& servable) {
  // A served client goes on with its pipelined requests, which may write keys and call back
  // in here; the outer loop picks those keys up instead.
  if (serving_) return;
  serving_ = true;
  while (!ready_.empty()) {
    std::vector<Key> batch;
    batch.swap(ready_);
    for (const Key& key : batch) {
      auto it = queues_.find(key);
      if (it == queues_.end()) continue;
      // Re-running a command can unblock sessions and change the queue: walk a copy.
      std::vector<Session*> waiting(it->second.begin(), it->second.end());
      for (Session* s : waiting) {
        if (!s->block.active || blocked_.count(s) == 0) continue;
        if (!servable(key.first, key.second, s->block.wait_type)) continue;
        s->invoker->reprocess_blocked();
        if (s->block.active) break;  // the key had nothing more for it: later ones wait too
      }
    }
  }
  serving_ = false;
}

void BlockingRegistry::expire_timeouts(int64_t now_ms) {
  std::vector<Session*> due;
  for (Session* s : blocked_)
    if (s->block.deadline_ms != 0 && s->block.deadline_ms <= now_ms) due.push_back(s);
  for (Session* s : due) {
    if (blocked_.count(s) != 0) s->invoker->end_blocking(/*as_error=*/false);
  }
}

}  // namespace cachet::commands
