#pragma once
// maxmemory enforcement, as Valkey's performEvictions: before a command runs (and between
// events while a pass is unfinished), compare used memory with maxmemory and, when over,
// evict keys by maxmemory-policy until enough was freed. Each pass is bounded in time by
// maxmemory-eviction-tenacity; an unfinished pass leaves `running()` set and the server keeps
// calling perform() between events until memory is under the limit or nothing is evictable.
// Evicted keys go through the engine like deletes: WATCH, blocked clients and the "evicted"
// keyspace event all hear of them.
#include <cstdint>
#include <string>

#include "config/server_config.h"
#include "store/evictor.h"

namespace cachet::commands {

class Engine;

enum class EvictResult {
  kOk,       // under the limit (or evicting is not allowed right now)
  kRunning,  // over, and still evicting in the background
  kFail,     // over, and nothing can be evicted: deny-oom commands are refused
};

inline constexpr const char* kOomError =
    "OOM command not allowed when used memory > 'maxmemory'.";

class Eviction {
 public:
  // One bounded eviction pass. O(1) when under the limit.
  EvictResult perform(Engine& engine);
  // CONFIG SET maxmemory: start evicting now rather than at the next command.
  void start_background() { running_ = true; }
  bool running() const { return running_; }

  // How long (ms) memory has been over the limit: the interval in progress, and all of them.
  int64_t current_exceeded_ms() const;
  int64_t total_exceeded_ms() const;
  void reset_stats();

 private:
  void note_outcome(EvictResult result);
  bool evict_one(Engine& engine, const store::EvictionPolicy& policy, int64_t now_ms,
                 int64_t* freed);

  store::Evictor evictor_;
  std::string victim_;  // reused for every evicted key's name
  bool running_ = false;
  int64_t exceeded_since_us_ = 0;  // monotonic start of the current over-limit interval
  int64_t total_exceeded_us_ = 0;
};

// The store's view of a configured policy; noeviction has none (nothing is ever chosen).
store::EvictionPolicy eviction_policy(config::MaxmemoryPolicy policy);
bool is_lfu_policy(config::MaxmemoryPolicy policy);
bool is_lru_policy(config::MaxmemoryPolicy policy);
// maxmemory-eviction-tenacity as a time budget per pass, in microseconds (0 ... unlimited).
int64_t eviction_time_limit_us(int64_t tenacity);

}  // namespace cachet::commands
