#include "store/dict.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace cachet::store {
namespace {

std::string key(const std::string& prefix, int i) { return prefix + std::to_string(i); }

void insert_keys(Dict& d, const std::string& prefix, int from, int to) {
  for (int i = from; i < to; ++i) d.insert(key(prefix, i), Value::integer(i));
}

bool remove_key(Dict& d, std::string_view k) {
  Entry* e = d.detach(k);
  if (e == nullptr) return false;
  Dict::free_entry(e);
  return true;
}

// Runs `between` before each SCAN step and returns every key the scan reported.
template <typename Between>
std::multiset<std::string> full_scan(Dict& d, Between between) {
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    between();
    cursor = d.scan(cursor, [&](Entry* e) { seen.emplace(e->key_view()); });
    EXPECT_LT(++steps, 1 << 20) << "scan does not terminate";
  } while (cursor != 0 && steps < (1 << 20));
  return seen;
}

std::multiset<std::string> full_scan(Dict& d) {
  return full_scan(d, [] {});
}

TEST(Dict, EmptyDict) {
  Dict d;
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.find("x"), nullptr);
  EXPECT_EQ(d.detach("x"), nullptr);
  EXPECT_EQ(d.random_entry(123), nullptr);
  EXPECT_EQ(d.scan(0, [](Entry*) { ADD_FAILURE() << "visited an entry of an empty dict"; }), 0u);
  EXPECT_FALSE(d.rehash_step(10));
}

TEST(Dict, InsertFindDetach) {
  Dict d;
  Entry* e = d.insert("alpha", Value::string("one"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->key_view(), "alpha");
  EXPECT_EQ(e->has_expire, 0u);
  EXPECT_EQ(d.find("alpha"), e);
  EXPECT_EQ(d.find("alph"), nullptr);
  EXPECT_EQ(d.find("alphaa"), nullptr);
  EXPECT_EQ(d.size(), 1u);
  EXPECT_EQ(d.detach("alpha"), e);
  Dict::free_entry(e);
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.find("alpha"), nullptr);
}

TEST(Dict, BinaryAndEmptyKeys) {
  Dict d;
  std::string bin("a\0b", 3);
  d.insert(bin, Value::integer(1));
  d.insert("", Value::integer(2));
  d.insert("a", Value::integer(3));
  ASSERT_NE(d.find(bin), nullptr);
  EXPECT_EQ(d.find(bin)->value.int_value(), 1);
  ASSERT_NE(d.find(""), nullptr);
  EXPECT_EQ(d.find("")->value.int_value(), 2);
  EXPECT_EQ(d.find("a")->value.int_value(), 3);
}

TEST(Dict, ManyKeysStayFindableWhileRehashing) {
  Dict d;
  const int n = 20000;
  int rehashing_inserts = 0;
  for (int i = 0; i < n; ++i) {
    d.insert(key("k", i), Value::integer(i));
    if (d.rehashing()) {
      ++rehashing_inserts;
      // Keys in both tables must be reachable mid-rehash.
      for (int j : {0, i / 2, i}) {
        Entry* e = d.find(key("k", j));
        ASSERT_NE(e, nullptr) << j;
        ASSERT_EQ(e->value.int_value(), j);
      }
    }
  }
  EXPECT_GT(rehashing_inserts, 0) << "the table never rehashed";
  EXPECT_EQ(d.size(), static_cast<size_t>(n));
  EXPECT_GE(d.bucket_count(), static_cast<size_t>(n));

  for (int i = 0; i < n; i += 2) ASSERT_TRUE(remove_key(d, key("k", i))) << i;
  EXPECT_EQ(d.size(), static_cast<size_t>(n / 2));
  for (int i = 0; i < n; ++i) {
    Entry* e = d.find(key("k", i));
    if (i % 2 == 0) {
      ASSERT_EQ(e, nullptr) << i;
    } else {
      ASSERT_NE(e, nullptr) << i;
      ASSERT_EQ(e->value.int_value(), i);
    }
  }
}

TEST(Dict, DetachWhileShrinkRehashes) {
  Dict d;
  insert_keys(d, "k", 0, 4096);
  while (d.rehash_step(100)) {
  }
  for (int i = 0; i < 4000; ++i) ASSERT_TRUE(remove_key(d, key("k", i)));
  size_t before = d.bucket_count();
  d.maybe_shrink();
  ASSERT_TRUE(d.rehashing());
  // Remove and find in the middle of the shrink.
  for (int i = 4000; i < 4048; ++i) ASSERT_TRUE(remove_key(d, key("k", i)));
  for (int i = 4048; i < 4096; ++i) ASSERT_NE(d.find(key("k", i)), nullptr);
  while (d.rehash_step(100)) {
  }
  EXPECT_LT(d.bucket_count(), before);
  EXPECT_EQ(d.size(), 48u);
}

TEST(Dict, ForEachVisitsEveryEntryOnce) {
  Dict d;
  insert_keys(d, "k", 0, 1000);
  std::multiset<std::string> seen;
  d.for_each([&](Entry* e) { seen.emplace(e->key_view()); });
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1000u);
}

TEST(Dict, ClearAndMove) {
  Dict d;
  insert_keys(d, "k", 0, 100);
  Dict moved(std::move(d));
  EXPECT_EQ(moved.size(), 100u);
  EXPECT_NE(moved.find("k50"), nullptr);
  EXPECT_EQ(d.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is documented empty
  Dict assigned;
  assigned.insert("old", Value::integer(0));
  assigned = std::move(moved);
  EXPECT_EQ(assigned.find("old"), nullptr);
  EXPECT_EQ(assigned.size(), 100u);
  assigned.clear();
  EXPECT_EQ(assigned.size(), 0u);
  EXPECT_EQ(assigned.find("k1"), nullptr);
}

TEST(DictScan, FullScanReturnsEveryKey) {
  for (int n : {1, 3, 4, 5, 100, 1000, 5000}) {
    SCOPED_TRACE(n);
    Dict d;
    insert_keys(d, "k", 0, n);
    std::multiset<std::string> seen = full_scan(d);
    for (int i = 0; i < n; ++i) ASSERT_EQ(seen.count(key("k", i)), 1u) << key("k", i);
  }
}

TEST(DictScan, FullScanMidRehashReturnsEveryKey) {
  Dict d;
  int n = 0;
  while (!d.rehashing() || n < 500) d.insert(key("k", n++), Value::integer(0));
  ASSERT_TRUE(d.rehashing());
  std::multiset<std::string> seen = full_scan(d);
  for (int i = 0; i < n; ++i) ASSERT_GE(seen.count(key("k", i)), 1u) << key("k", i);
}

TEST(DictScan, EveryKeyReturnedWhileTheTableGrows) {
  Dict d;
  const int stable = 500;
  insert_keys(d, "stable:", 0, stable);
  while (d.rehash_step(100)) {
  }
  size_t start_buckets = d.bucket_count();
  int added = 0;
  bool saw_rehash = false;
  std::multiset<std::string> seen = full_scan(d, [&] {
    // Bounded: a table that grows forever would keep the cursor from ever wrapping.
    if (added < 20000) {
      insert_keys(d, "new:", added, added + 10);
      added += 10;
    }
    saw_rehash = saw_rehash || d.rehashing();
  });
  EXPECT_TRUE(saw_rehash);
  EXPECT_GT(d.bucket_count(), start_buckets);
  for (int i = 0; i < stable; ++i) ASSERT_GE(seen.count(key("stable:", i)), 1u) << i;
}

TEST(DictScan, EveryKeyReturnedWhileTheTableShrinks) {
  Dict d;
  const int stable = 100, doomed = 8000;
  insert_keys(d, "stable:", 0, stable);
  insert_keys(d, "doomed:", 0, doomed);
  while (d.rehash_step(100)) {
  }
  size_t start_buckets = d.bucket_count();
  int removed = 0;
  bool saw_rehash = false;
  std::multiset<std::string> seen = full_scan(d, [&] {
    for (int i = 0; i < 200 && removed < doomed; ++i) remove_key(d, key("doomed:", removed++));
    d.maybe_shrink();
    saw_rehash = saw_rehash || d.rehashing();
    d.rehash_step(1);
  });
  EXPECT_TRUE(saw_rehash);
  EXPECT_LT(d.bucket_count(), start_buckets);
  for (int i = 0; i < stable; ++i) ASSERT_GE(seen.count(key("stable:", i)), 1u) << i;
}

TEST(DictScan, RandomGrowAndShrinkKeepsTheGuarantee) {
  std::mt19937 rng(99);
  for (int round = 0; round < 20; ++round) {
    Dict d;
    insert_keys(d, "stable:", 0, 64);
    int next = 0;
    std::vector<std::string> churn;
    std::multiset<std::string> seen = full_scan(d, [&] {
      int op = static_cast<int>(rng() % 3);
      if (op == 0 || churn.empty()) {
        for (int i = 0; i < 50; ++i) churn.push_back(key("churn:", next++));
        for (size_t i = churn.size() - 50; i < churn.size(); ++i)
          d.insert(churn[i], Value::integer(0));
      } else if (op == 1) {
        size_t n = std::min<size_t>(churn.size(), 60);
        for (size_t i = 0; i < n; ++i) {
          remove_key(d, churn.back());
          churn.pop_back();
        }
        d.maybe_shrink();
      } else {
        d.rehash_step(static_cast<int>(rng() % 4));
      }
    });
    for (int i = 0; i < 64; ++i) ASSERT_GE(seen.count(key("stable:", i)), 1u) << round;
  }
}

TEST(Dict, RandomEntryReturnsLiveEntries) {
  Dict d;
  insert_keys(d, "k", 0, 200);
  std::mt19937_64 rng(5);
  std::unordered_set<std::string> picked;
  for (int i = 0; i < 5000; ++i) {
    Entry* e = d.random_entry(rng());
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(d.find(e->key_view()), e);
    picked.emplace(e->key_view());
  }
  EXPECT_GT(picked.size(), 150u) << "random_entry keeps picking the same few entries";
}

TEST(Dict, RandomEntryWhileRehashing) {
  Dict d;
  int n = 0;
  while (!d.rehashing() || n < 300) d.insert(key("k", n++), Value::integer(0));
  std::mt19937_64 rng(6);
  for (int i = 0; i < 100; ++i) {
    Entry* e = d.random_entry(rng());
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(d.find(e->key_view()), e);
  }
  d.insert("only", Value::integer(1));
  for (int i = 0; i < n; ++i) remove_key(d, key("k", i));
  Entry* e = d.random_entry(rng());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->key_view(), "only");
}

}  // namespace
}  // namespace cachet::store
