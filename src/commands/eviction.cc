#include "commands/eviction.h"

#include <cmath>
#include <limits>

#include "commands/engine.h"
#include "common/clock.h"
#include "store/memory.h"

namespace cachet::commands {
namespace {
// Memory is re-checked and the clock read once per this many evicted keys.
constexpr int kKeysBetweenChecks = 16;
}  // namespace

store::EvictionPolicy eviction_policy(config::MaxmemoryPolicy policy) {
  using P = config::MaxmemoryPolicy;
  using O = store::EvictionOrder;
  switch (policy) {
    case P::kAllkeysLru: return {false, O::kLru};
    case P::kVolatileLru: return {true, O::kLru};
    case P::kAllkeysLfu: return {false, O::kLfu};
    case P::kVolatileLfu: return {true, O::kLfu};
    case P::kAllkeysRandom: return {false, O::kRandom};
    case P::kVolatileRandom: return {true, O::kRandom};
    case P::kVolatileTtl: return {true, O::kTtl};
    case P::kNoeviction: break;
  }
  return {};
}

bool is_lfu_policy(config::MaxmemoryPolicy policy) {
  return policy == config::MaxmemoryPolicy::kAllkeysLfu ||
         policy == config::MaxmemoryPolicy::kVolatileLfu;
}

bool is_lru_policy(config::MaxmemoryPolicy policy) {
  return policy == config::MaxmemoryPolicy::kAllkeysLru ||
         policy == config::MaxmemoryPolicy::kVolatileLru;
}

int64_t eviction_time_limit_us(int64_t tenacity) {
  // Valkey's curve: linear to 500us at the default 10, then +15% a step (about two minutes
  // at 99), and no limit at 100.
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return std::numeric_limits<int64_t>::max();
}

bool Eviction::evict_one(Engine& engine, const store::EvictionPolicy& policy, int64_t now_ms,
                         int64_t* freed) {
  int db = 0;
  if (!evictor_.choose(engine.keyspace, policy,
                       static_cast<size_t>(engine.config.maxmemory_samples), now_ms, &db,
                       &victim_)) {
    return false;
  }
  // Only what the deletion itself released counts; replies and notifications it causes are
  // transient and would otherwise keep the loop from ever finishing.
  int64_t before = static_cast<int64_t>(store::allocated_bytes());
  engine.keyspace.db(static_cast<size_t>(db)).remove(victim_);
  *freed += before - static_cast<int64_t>(store::allocated_bytes());
  ++engine.stats.evicted_keys;
  engine.key_modified(db, victim_, /*changes=*/0);  // WATCH sees it; dirty does not, as Valkey
  engine.notify(kNotifyEvicted, "evicted", db, victim_);
  engine.propagate_deletion(db, victim_, engine.config.lazyfree_lazy_eviction);
  return true;
}

EvictResult Eviction::perform(Engine& engine) {
  const config::ServerConfig& config = engine.config;
  // CLIENT PAUSE holds the dataset still, evictions included. Not an outcome: no statistics.
  if (engine.evictions_paused) return EvictResult::kOk;
  size_t used = store::allocated_bytes();
  size_t limit = static_cast<size_t>(config.maxmemory);
  if (limit == 0 || used <= limit) {
    running_ = false;
    note_outcome(EvictResult::kOk);
    return EvictResult::kOk;
  }
  if (config.maxmemory_policy == config::MaxmemoryPolicy::kNoeviction) {
    running_ = false;
    note_outcome(EvictResult::kFail);
    return EvictResult::kFail;
  }
  store::EvictionPolicy policy = eviction_policy(config.maxmemory_policy);
  int64_t to_free = static_cast<int64_t>(used - limit);
  int64_t freed = 0;
  int64_t start_us = monotonic_us();
  int64_t budget_us = eviction_time_limit_us(config.maxmemory_eviction_tenacity);
  int64_t now = now_ms();
  int keys = 0;
  bool stopped_early = false;
  while (freed < to_free) {
    if (!evict_one(engine, policy, now, &freed)) {
      running_ = false;
      note_outcome(EvictResult::kFail);
      return EvictResult::kFail;
    }
    if (++keys % kKeysBetweenChecks == 0 && monotonic_us() - start_us > budget_us) {
      stopped_early = true;
      break;
    }
  }
  running_ = stopped_early;
  EvictResult result = stopped_early ? EvictResult::kRunning : EvictResult::kOk;
  note_outcome(result);
  return result;
}

void Eviction::note_outcome(EvictResult result) {
  if (result == EvictResult::kOk) {
    if (exceeded_since_us_ != 0) {
      total_exceeded_us_ += monotonic_us() - exceeded_since_us_;
      exceeded_since_us_ = 0;
    }
  } else if (exceeded_since_us_ == 0) {
    exceeded_since_us_ = monotonic_us();
  }
}

int64_t Eviction::current_exceeded_ms() const {
  return exceeded_since_us_ == 0 ? 0 : (monotonic_us() - exceeded_since_us_) / 1000;
}

int64_t Eviction::total_exceeded_ms() const {
  int64_t current = exceeded_since_us_ == 0 ? 0 : monotonic_us() - exceeded_since_us_;
  return (total_exceeded_us_ + current) / 1000;
}

void Eviction::reset_stats() {
  total_exceeded_us_ = 0;
  exceeded_since_us_ = 0;
}

}  // namespace cachet::commands
