// Eviction::perform against a real Engine: it must stop under the limit, report kFail when
// the policy leaves nothing to evict, and send evicted keys through the engine's seams (WATCH
// and the "evicted" keyspace event) as deletes go.
#include "commands/eviction.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "commands/engine.h"
#include "commands/session.h"
#include "store/memory.h"

namespace cachet::commands {
namespace {

struct RecordedEvent {
  uint32_t cls;
  std::string event;
  int db;
  std::string key;
};

class RecordingSink : public EventSink {
 public:
  void keyspace_event(uint32_t cls, std::string_view event, int db,
                      std::string_view key) override {
    events.push_back({cls, std::string(event), db, std::string(key)});
  }
  std::vector<RecordedEvent> events;
};

// Avoids `"literal" + std::to_string(i)`, which trips a GCC 12 -Wrestrict false positive.
std::string name(const std::string& prefix, int i) { return prefix + std::to_string(i); }

class EvictionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.databases = 2;
    config.notify_keyspace_events = kNotifyKeyevent | kNotifyEvicted;  // "Ee"
    engine = std::make_unique<Engine>(&config);
    engine->event_sink = &sink;
    // Recording an event must not allocate, or the test's own bookkeeping would count against
    // the limit (the keys used are short enough for std::string's inline buffer).
    sink.events.reserve(2000);
  }
  void TearDown() override { store::set_memory_limit(0); }

  // 1 KB values, so a few hundred keys are well above allocator noise.
  void fill(int db, const std::string& prefix, int count, bool with_ttl) {
    store::Database& d = engine->keyspace.db(static_cast<size_t>(db));
    for (int i = 0; i < count; ++i) {
      store::Entry* e = d.add(name(prefix, i), store::Value::string(std::string(1000, 'x')));
      if (with_ttl) d.set_expire(e, now_ms() + 1'000'000);
    }
  }
  void limit_below_usage_by(size_t bytes) {
    config.maxmemory = static_cast<int64_t>(store::allocated_bytes() - bytes);
    engine->memory_config_changed();
  }

  config::ServerConfig config;
  std::unique_ptr<Engine> engine;
  RecordingSink sink;
};

TEST_F(EvictionTest, UnderTheLimitIsOkAndEvictsNothing) {
  fill(0, "k", 100, false);
  config.maxmemory = static_cast<int64_t>(store::allocated_bytes() + (1 << 20));
  config.maxmemory_policy = config::MaxmemoryPolicy::kAllkeysLru;
  EXPECT_EQ(engine->eviction.perform(*engine), EvictResult::kOk);
  EXPECT_EQ(engine->stats.evicted_keys, 0u);
  EXPECT_TRUE(sink.events.empty());
}

TEST_F(EvictionTest, EvictsUntilUnderTheLimitAndAnnouncesEachKey) {
  fill(0, "a", 300, false);
  fill(1, "b", 300, false);
  config.maxmemory_policy = config::MaxmemoryPolicy::kAllkeysRandom;
  config.maxmemory_eviction_tenacity = 100;  // one pass, no time limit
  limit_below_usage_by(100 * 1024);
  EXPECT_EQ(engine->eviction.perform(*engine), EvictResult::kOk);
  EXPECT_LE(store::allocated_bytes(), static_cast<size_t>(config.maxmemory));
  uint64_t evicted = engine->stats.evicted_keys;
  EXPECT_GE(evicted, 90u);   // about 1.1 KB each
  EXPECT_LE(evicted, 150u);  // and not much more than needed
  ASSERT_EQ(sink.events.size(), evicted);
  for (const RecordedEvent& e : sink.events) {
    EXPECT_EQ(e.cls, kNotifyEvicted);
    EXPECT_EQ(e.event, "evicted");
    EXPECT_EQ(engine->keyspace.db(static_cast<size_t>(e.db)).dict().find(e.key), nullptr);
  }
  EXPECT_EQ(engine->keyspace.total_keys(), 600 - evicted);
}

TEST_F(EvictionTest, EvictionOfAWatchedKeyDirtiesTheTransaction) {
  fill(0, "k", 200, false);
  Session session;
  for (int i = 0; i < 200; ++i) engine->watches.watch(session, 0, name("k", i), false);
  config.maxmemory_policy = config::MaxmemoryPolicy::kAllkeysLru;
  limit_below_usage_by(20 * 1024);
  engine->eviction.perform(*engine);
  EXPECT_GT(engine->stats.evicted_keys, 0u);
  EXPECT_TRUE(session.watch_dirty);
  engine->watches.unwatch_all(session);
}

TEST_F(EvictionTest, NothingEvictableIsAFailure) {
  fill(0, "plain", 200, false);
  config.maxmemory_policy = config::MaxmemoryPolicy::kVolatileLru;
  limit_below_usage_by(20 * 1024);
  EXPECT_EQ(engine->eviction.perform(*engine), EvictResult::kFail);
  EXPECT_EQ(engine->stats.evicted_keys, 0u);
  EXPECT_EQ(engine->keyspace.total_keys(), 200u);
  config.maxmemory_policy = config::MaxmemoryPolicy::kNoeviction;
  EXPECT_EQ(engine->eviction.perform(*engine), EvictResult::kFail);
}

TEST_F(EvictionTest, VolatileTtlTakesOnlyKeysWithATtl) {
  fill(0, "plain", 100, false);
  fill(0, "ttl", 100, true);
  config.maxmemory_policy = config::MaxmemoryPolicy::kVolatileTtl;
  config.maxmemory_eviction_tenacity = 100;
  limit_below_usage_by(30 * 1024);
  EXPECT_EQ(engine->eviction.perform(*engine), EvictResult::kOk);
  EXPECT_GT(engine->stats.evicted_keys, 0u);
  for (const RecordedEvent& e : sink.events) EXPECT_EQ(e.key.rfind("ttl", 0), 0u) << e.key;
}

TEST_F(EvictionTest, PausedEvictionReportsOkWithoutEvicting) {
  fill(0, "k", 100, false);
  config.maxmemory_policy = config::MaxmemoryPolicy::kAllkeysLru;
  limit_below_usage_by(20 * 1024);
  engine->evictions_paused = true;
  EXPECT_EQ(engine->eviction.perform(*engine), EvictResult::kOk);
  EXPECT_EQ(engine->stats.evicted_keys, 0u);
}

TEST(EvictionTimeLimit, FollowsTenacity) {
  EXPECT_EQ(eviction_time_limit_us(0), 0);
  EXPECT_EQ(eviction_time_limit_us(10), 500);
  EXPECT_EQ(eviction_time_limit_us(11), 575);
  EXPECT_GT(eviction_time_limit_us(99), 100'000'000);  // about two minutes
  EXPECT_EQ(eviction_time_limit_us(100), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace cachet::commands
