#include "store/eviction_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "store/evictor.h"

namespace cachet::store {
namespace {

auto always = [](int, std::string_view) { return true; };

// Avoids `"literal" + std::to_string(i)`, which trips a GCC 12 -Wrestrict false positive.
std::string name(const std::string& prefix, int i) { return prefix + std::to_string(i); }

TEST(EvictionPool, KeepsCandidatesInAscendingScoreOrder) {
  EvictionPool pool;
  pool.offer(30, 0, "c");
  pool.offer(10, 0, "a");
  pool.offer(20, 1, "b");
  ASSERT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool.at(0).key, "a");
  EXPECT_EQ(pool.at(1).key, "b");
  EXPECT_EQ(pool.at(2).key, "c");
  int db = -1;
  std::string key;
  ASSERT_TRUE(pool.take_best(always, &db, &key));
  EXPECT_EQ(key, "c");
  ASSERT_TRUE(pool.take_best(always, &db, &key));
  EXPECT_EQ(key, "b");
  EXPECT_EQ(db, 1);
}

TEST(EvictionPool, WhenFullDropsTheWorstAndIgnoresWorseOffers) {
  EvictionPool pool;
  for (uint64_t i = 0; i < EvictionPool::kSize; ++i) {
    pool.offer(100 + i, 0, name("k", static_cast<int>(100 + i)));
  }
  pool.offer(5, 0, "too-young");  // below every kept score: not kept
  EXPECT_EQ(pool.size(), EvictionPool::kSize);
  EXPECT_EQ(pool.at(0).key, "k100");
  pool.offer(1000, 0, "oldest");  // pushes out the lowest
  EXPECT_EQ(pool.size(), EvictionPool::kSize);
  EXPECT_EQ(pool.at(0).key, "k101");
  EXPECT_EQ(pool.at(EvictionPool::kSize - 1).key, "oldest");
  pool.offer(107, 0, "middle");  // goes between k107 and k108 after the lowest leaves
  EXPECT_EQ(pool.at(0).key, "k102");
  std::set<std::string> keys;
  for (size_t i = 0; i < pool.size(); ++i) keys.insert(pool.at(i).key);
  EXPECT_TRUE(keys.count("middle"));
  for (size_t i = 1; i < pool.size(); ++i) EXPECT_LE(pool.at(i - 1).score, pool.at(i).score);
}

TEST(EvictionPool, SkipsGhostsThatNoLongerExist) {
  EvictionPool pool;
  pool.offer(1, 0, "alive");
  pool.offer(2, 0, "deleted");
  pool.offer(3, 0, "also-deleted");
  int db;
  std::string key;
  auto exists = [](int, std::string_view k) { return k == "alive"; };
  ASSERT_TRUE(pool.take_best(exists, &db, &key));
  EXPECT_EQ(key, "alive");
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_FALSE(pool.take_best(exists, &db, &key));
}

TEST(EvictionPool, LongKeysAreKeptWhole) {
  EvictionPool pool;
  std::string long_key(1000, 'x');
  pool.offer(1, 0, long_key);
  pool.offer(2, 0, "short");
  int db;
  std::string key;
  ASSERT_TRUE(pool.take_best(always, &db, &key));
  EXPECT_EQ(key, "short");
  ASSERT_TRUE(pool.take_best(always, &db, &key));
  EXPECT_EQ(key, long_key);
}

class EvictorTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1'700'000'000'000;
  Keyspace ks{4};
  Evictor evictor;

  std::string choose(EvictionPolicy policy, size_t samples = 5) {
    int db = -1;
    std::string key;
    if (!evictor.choose(ks, policy, samples, kNow, &db, &key)) return "<none>";
    std::string out = std::to_string(db);
    out += ':';
    out += key;
    return out;
  }
};

TEST_F(EvictorTest, NothingToChooseFromAnEmptyKeyspace) {
  EXPECT_EQ(choose({false, EvictionOrder::kLru}), "<none>");
  EXPECT_EQ(choose({false, EvictionOrder::kRandom}), "<none>");
}

TEST_F(EvictorTest, VolatilePoliciesOnlyChooseKeysWithATtl) {
  for (int i = 0; i < 50; ++i) ks.db(0).add(name("plain", i), Value::string("v"));
  EXPECT_EQ(choose({true, EvictionOrder::kLru}), "<none>");
  EXPECT_EQ(choose({true, EvictionOrder::kRandom}), "<none>");
  EXPECT_EQ(choose({true, EvictionOrder::kTtl}), "<none>");
  Entry* e = ks.db(2).add("volatile", Value::string("v"));
  ks.db(2).set_expire(e, kNow + 1000);
  EXPECT_EQ(choose({true, EvictionOrder::kLru}), "2:volatile");
  EXPECT_EQ(choose({true, EvictionOrder::kRandom}), "2:volatile");
  EXPECT_EQ(choose({true, EvictionOrder::kTtl}), "2:volatile");
}

TEST_F(EvictorTest, LruPrefersTheLongestIdleWithAFullSample) {
  // With as many samples as keys, the pool sees every key and must pick the oldest.
  for (int i = 0; i < 20; ++i) {
    Entry* e = ks.db(1).add(name("k", i), Value::string("v"));
    e->lru = lru_clock(kNow - 1000 * (i == 7 ? 500 : i));
  }
  EXPECT_EQ(choose({false, EvictionOrder::kLru}, 64), "1:k7");
}

TEST_F(EvictorTest, LfuPrefersTheLeastFrequent) {
  for (int i = 0; i < 20; ++i) {
    Entry* e = ks.db(0).add(name("k", i), Value::string("v"));
    e->lru = lfu_stamp(i == 3 ? 1 : 50, kNow);
  }
  EXPECT_EQ(choose({false, EvictionOrder::kLfu}, 64), "0:k3");
}

TEST_F(EvictorTest, VolatileTtlPrefersTheSoonestExpiry) {
  for (int i = 0; i < 20; ++i) {
    Entry* e = ks.db(3).add(name("k", i), Value::string("v"));
    ks.db(3).set_expire(e, kNow + (i == 12 ? 10 : 100'000 + i));
  }
  EXPECT_EQ(choose({true, EvictionOrder::kTtl}, 64), "3:k12");
}

TEST_F(EvictorTest, PooledCandidatesDeletedMeanwhileAreSkipped) {
  for (int i = 0; i < 10; ++i) {
    Entry* e = ks.db(0).add(name("k", i), Value::string("v"));
    e->lru = lru_clock(kNow - 1000 * (100 - i));  // k0 oldest
  }
  EXPECT_EQ(choose({false, EvictionOrder::kLru}, 64), "0:k0");
  // k1 is still pooled from the first round; once deleted it is a ghost to skip.
  ks.db(0).remove("k0");
  ks.db(0).remove("k1");
  EXPECT_EQ(choose({false, EvictionOrder::kLru}, 64), "0:k2");
}

}  // namespace
}  // namespace cachet::store
