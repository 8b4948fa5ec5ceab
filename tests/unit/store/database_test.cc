#include "store/database.h"

#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "store/keyspace.h"

namespace cachet::store {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;  // a fixed "current" time in unix ms

// Avoids `"literal" + std::to_string(i)`, which trips a GCC 12 -Wrestrict false positive.
std::string key(const std::string& prefix, int i) { return prefix + std::to_string(i); }

int64_t far_deadline_us() { return monotonic_us() + 60'000'000; }

std::string str(const Entry* e) {
  char scratch[Value::kIntBufferSize];
  return std::string(e->value.str(scratch));
}

class DatabaseTest : public ::testing::Test {
 protected:
  KeyspaceStats stats;
  AccessTracking access;
  Database db{&stats, &access};
};

TEST_F(DatabaseTest, AddLookupRemove) {
  db.add("k", Value::string("v"));
  Entry* e = db.lookup("k", kNow);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(str(e), "v");
  EXPECT_EQ(db.size(), 1u);
  EXPECT_TRUE(db.remove("k"));
  EXPECT_FALSE(db.remove("k"));
  EXPECT_EQ(db.lookup("k", kNow), nullptr);
  EXPECT_EQ(db.size(), 0u);
}

TEST_F(DatabaseTest, LookupStampsTheAccessClockUnlessTouchIsFalse) {
  Entry* e = db.add("k", Value::string("v"));
  db.lookup("k", kNow);
  EXPECT_EQ(e->lru, lru_clock(kNow));
  db.lookup("k", kNow + 50'000, /*touch=*/false);
  EXPECT_EQ(e->lru, lru_clock(kNow));
  EXPECT_EQ(idle_seconds(e->lru, kNow + 50'000), 50);
}

TEST(LruClock, IdleSecondsHandlesTheWrap) {
  uint32_t stamp = 0xFFFFFF;  // the last second before the 24-bit clock wraps
  int64_t later_ms = (static_cast<int64_t>(0x1000000) + 4) * 1000;
  EXPECT_EQ(lru_clock(later_ms), 4u);
  EXPECT_EQ(idle_seconds(stamp, later_ms), 5);
}

TEST_F(DatabaseTest, LookupReadCountsHitsAndMisses) {
  db.add("k", Value::string("v"));
  EXPECT_NE(db.lookup_read("k", kNow), nullptr);
  EXPECT_EQ(db.lookup_read("missing", kNow), nullptr);
  EXPECT_EQ(db.lookup_read("missing", kNow), nullptr);
  EXPECT_EQ(stats.keyspace_hits, 1u);
  EXPECT_EQ(stats.keyspace_misses, 2u);
}

TEST_F(DatabaseTest, KeyWithoutTtlReportsMinusOne) {
  Entry* e = db.add("k", Value::string("v"));
  EXPECT_EQ(db.expire_at(e), -1);
  EXPECT_EQ(db.expires_size(), 0u);
}

TEST_F(DatabaseTest, LazyExpiryOnLookup) {
  Entry* e = db.add("k", Value::string("v"));
  db.set_expire(e, kNow + 1000);
  EXPECT_EQ(db.expire_at(e), kNow + 1000);
  EXPECT_EQ(db.expires_size(), 1u);
  EXPECT_EQ(db.lookup("k", kNow + 999), e);  // still alive
  EXPECT_EQ(stats.expired_keys, 0u);

  EXPECT_EQ(db.lookup("k", kNow + 1001), nullptr);
  EXPECT_EQ(stats.expired_keys, 1u);
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.expires_size(), 0u);
  // Gone for good, and not counted twice.
  EXPECT_EQ(db.lookup("k", kNow + 1001), nullptr);
  EXPECT_EQ(stats.expired_keys, 1u);
}

TEST_F(DatabaseTest, LazyExpiryCountsAMissForReads) {
  Entry* e = db.add("k", Value::string("v"));
  db.set_expire(e, kNow);
  EXPECT_EQ(db.lookup_read("k", kNow + 1), nullptr);
  EXPECT_EQ(stats.keyspace_misses, 1u);
  EXPECT_EQ(stats.keyspace_hits, 0u);
  EXPECT_EQ(stats.expired_keys, 1u);
}

TEST_F(DatabaseTest, SetDropsTheTtlByDefault) {
  Entry* e = db.add("k", Value::string("v1"));
  db.set_expire(e, kNow + 5000);
  Entry* again = db.set("k", Value::string("v2"), /*keep_ttl=*/false);
  EXPECT_EQ(str(again), "v2");
  EXPECT_EQ(db.expire_at(again), -1);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_EQ(db.size(), 1u);
  EXPECT_NE(db.lookup("k", kNow + 10'000), nullptr);  // no longer expires
}

TEST_F(DatabaseTest, SetWithKeepTtlKeepsIt) {
  Entry* e = db.add("k", Value::string("v1"));
  db.set_expire(e, kNow + 5000);
  Entry* again = db.set("k", Value::string("v2"), /*keep_ttl=*/true);
  EXPECT_EQ(str(again), "v2");
  EXPECT_EQ(db.expire_at(again), kNow + 5000);
  EXPECT_EQ(db.expires_size(), 1u);
  EXPECT_EQ(db.lookup("k", kNow + 5001), nullptr);
}

TEST_F(DatabaseTest, SetCreatesAMissingKey) {
  Entry* e = db.set("new", Value::integer(7), /*keep_ttl=*/true);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value.int_value(), 7);
  EXPECT_EQ(db.expire_at(e), -1);
  EXPECT_EQ(db.size(), 1u);
}

TEST_F(DatabaseTest, PersistRemovesTheTtl) {
  Entry* e = db.add("k", Value::string("v"));
  EXPECT_FALSE(db.persist(e));  // nothing to remove
  db.set_expire(e, kNow + 1000);
  EXPECT_TRUE(db.persist(e));
  EXPECT_EQ(db.expire_at(e), -1);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_FALSE(db.persist(e));
  EXPECT_EQ(db.lookup("k", kNow + 2000), e);
}

TEST_F(DatabaseTest, SetExpireTwiceReplacesTheTime) {
  Entry* e = db.add("k", Value::string("v"));
  db.set_expire(e, kNow + 1000);
  db.set_expire(e, kNow + 9000);
  EXPECT_EQ(db.expire_at(e), kNow + 9000);
  EXPECT_EQ(db.expires_size(), 1u);
}

TEST_F(DatabaseTest, RemoveForgetsTheTtl) {
  Entry* e = db.add("k", Value::string("v"));
  db.set_expire(e, kNow + 1000);
  EXPECT_TRUE(db.remove("k"));
  EXPECT_EQ(db.expires_size(), 0u);
}

TEST_F(DatabaseTest, ActiveExpireRemovesAllExpiredKeys) {
  for (int i = 0; i < 300; ++i) {
    Entry* e = db.add(key("ttl:", i), Value::integer(i));
    db.set_expire(e, kNow + i);
  }
  for (int i = 0; i < 50; ++i) db.add(key("keep:", i), Value::integer(i));
  uint64_t rnd = 12345;
  size_t removed = db.active_expire(kNow + 1'000'000, far_deadline_us(), &rnd);
  EXPECT_EQ(removed, 300u);
  EXPECT_EQ(stats.expired_keys, 300u);
  EXPECT_EQ(db.size(), 50u);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_EQ(db.avg_ttl(), 0);
  EXPECT_NE(db.lookup("keep:0", kNow), nullptr);
}

TEST_F(DatabaseTest, ActiveExpireNeverRemovesLiveKeys) {
  for (int i = 0; i < 200; ++i) {
    Entry* e = db.add(key("k", i), Value::integer(i));
    // Even keys are already expired at kNow, odd ones have an hour left.
    db.set_expire(e, i % 2 == 0 ? kNow - 1 : kNow + 3'600'000);
  }
  uint64_t rnd = 1;
  size_t removed = 0;
  for (int pass = 0; pass < 1000 && db.expires_size() > 100; ++pass)
    removed += db.active_expire(kNow, far_deadline_us(), &rnd);
  EXPECT_EQ(removed, 100u);
  EXPECT_EQ(stats.expired_keys, 100u);
  EXPECT_EQ(db.size(), 100u);
  for (int i = 1; i < 200; i += 2) ASSERT_NE(db.lookup(key("k", i), kNow), nullptr);
  EXPECT_GT(db.avg_ttl(), 0);
  EXPECT_LE(db.avg_ttl(), 3'600'000);
}

TEST_F(DatabaseTest, ActiveExpireWithNothingToDo) {
  db.add("k", Value::integer(1));
  uint64_t rnd = 3;
  EXPECT_EQ(db.active_expire(kNow, far_deadline_us(), &rnd), 0u);
  Entry* e = db.lookup("k", kNow);
  db.set_expire(e, kNow + 1000);
  EXPECT_EQ(db.active_expire(kNow, far_deadline_us(), &rnd), 0u);
  EXPECT_EQ(db.size(), 1u);
}

TEST_F(DatabaseTest, ClearEmptiesKeysAndTtls) {
  for (int i = 0; i < 10; ++i) {
    Entry* e = db.add(key("k", i), Value::integer(i));
    db.set_expire(e, kNow + 1000);
  }
  db.clear();
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.expires_size(), 0u);
  EXPECT_EQ(db.lookup("k1", kNow), nullptr);
}

TEST(Keyspace, ActiveExpireCycleCoversEveryDatabase) {
  Keyspace ks(4);
  for (size_t d = 0; d < ks.db_count(); ++d) {
    for (int i = 0; i < 20; ++i) {
      Entry* e = ks.db(d).add(key("k", i), Value::integer(i));
      ks.db(d).set_expire(e, kNow);
    }
  }
  EXPECT_EQ(ks.total_keys(), 80u);
  for (int i = 0; i < 100 && ks.total_keys() > 0; ++i)
    ks.active_expire_cycle(kNow + 1000, far_deadline_us());
  EXPECT_EQ(ks.total_keys(), 0u);
  EXPECT_EQ(ks.stats().expired_keys, 80u);
}

TEST(Keyspace, SwapAndFlushAll) {
  Keyspace ks(2);
  ks.db(0).add("a", Value::integer(1));
  ks.swap(0, 1);
  EXPECT_EQ(ks.db(0).size(), 0u);
  ASSERT_NE(ks.db(1).lookup("a", kNow), nullptr);
  ks.flush_all();
  EXPECT_EQ(ks.total_keys(), 0u);
}

}  // namespace
}  // namespace cachet::store
