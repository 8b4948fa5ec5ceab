#include "store/access_clock.h"

#include <gtest/gtest.h>

namespace cachet::store {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kNow = 1'700'000'000'000;  // a fixed wall-clock instant, ms

TEST(LfuCounter, NewKeysStartAtFive) {
  AccessTracking t;
  t.configure(/*lfu=*/true, 10, 1);
  uint32_t stamp = t.initial(kNow);
  EXPECT_EQ(stamp & 0xFF, kLfuInitCounter);
  EXPECT_EQ(stamp >> 8, lfu_minutes(kNow));
  EXPECT_LT(stamp, 1u << 24);  // fits the entry's 24 bits
}

TEST(LfuCounter, IncrementIsCertainUpToTheInitialValueThenLogarithmic) {
  // At or below 5 the probability is 1: every access counts.
  EXPECT_EQ(lfu_log_increment(0, 10, 0.999), 1u);
  EXPECT_EQ(lfu_log_increment(5, 10, 0.999), 6u);
  // Above it p = 1 / ((counter - 5) * factor + 1): at 15 with factor 10, p = 1/101.
  EXPECT_EQ(lfu_log_increment(15, 10, 1.0 / 101 - 1e-9), 16u);
  EXPECT_EQ(lfu_log_increment(15, 10, 1.0 / 101 + 1e-9), 15u);
  // Factor 0 counts every access; 255 is the ceiling.
  EXPECT_EQ(lfu_log_increment(200, 0, 0.999), 201u);
  EXPECT_EQ(lfu_log_increment(255, 0, 0.0), 255u);
}

TEST(LfuCounter, HitsNeededGrowAsValkeyDocumentsForFactorTen) {
  // valkey.conf's table: with lfu-log-factor 10, 100 hits give about 10, 1000 about 18,
  // 100k about 142 (each well within a factor of the documented figure).
  AccessTracking t;
  t.configure(true, 10, 0);  // no decay
  uint32_t stamp = t.initial(kNow);
  auto hits = [&](int n) {
    for (int i = 0; i < n; ++i) stamp = t.touched(stamp, kNow);
    return stamp & 0xFF;
  };
  uint32_t after100 = hits(100);
  EXPECT_GE(after100, 8u);
  EXPECT_LE(after100, 13u);
  uint32_t after1000 = hits(900);
  EXPECT_GE(after1000, 15u);
  EXPECT_LE(after1000, 22u);
  uint32_t after100k = hits(99'000);
  EXPECT_GE(after100k, 120u);
  EXPECT_LE(after100k, 165u);
}

TEST(LfuCounter, DecaysOnePointPerDecayPeriod) {
  uint32_t stamp = lfu_stamp(20, kNow);
  EXPECT_EQ(lfu_decayed_counter(stamp, kNow, 1), 20u);
  EXPECT_EQ(lfu_decayed_counter(stamp, kNow + 3 * kMinute, 1), 17u);
  EXPECT_EQ(lfu_decayed_counter(stamp, kNow + 3 * kMinute, 2), 19u);  // one full 2-minute period
  EXPECT_EQ(lfu_decayed_counter(stamp, kNow + 50 * kMinute, 1), 0u);  // never below zero
  EXPECT_EQ(lfu_decayed_counter(stamp, kNow + 50 * kMinute, 0), 20u);  // decay disabled
}

TEST(LfuCounter, ElapsedMinutesAllowForTheSixteenBitWrap) {
  int64_t wrap = int64_t{0x10000} * kMinute;  // the minute clock reads 0 here
  uint32_t last = 0xFFFE;
  EXPECT_EQ(lfu_elapsed_minutes(last, wrap + 3 * kMinute), 0xFFFFu - last + 3);
}

TEST(LfuCounter, TouchAppliesTheDecayBeforeIncrementing) {
  AccessTracking t;
  t.configure(true, 10, 1);
  uint32_t stamp = lfu_stamp(40, kNow);
  uint32_t touched = t.touched(stamp, kNow + 10 * kMinute);
  // 40 decays to 30; the increment (p = 1/251) almost never fires.
  EXPECT_GE(touched & 0xFF, 30u);
  EXPECT_LE(touched & 0xFF, 31u);
  EXPECT_EQ(touched >> 8, lfu_minutes(kNow + 10 * kMinute));
}

TEST(LruClock, TouchStampsTheSecondsClockWhenNotLfu) {
  AccessTracking t;  // LRU by default
  EXPECT_EQ(t.initial(kNow), lru_clock(kNow));
  EXPECT_EQ(t.touched(0, kNow + 5000), lru_clock(kNow + 5000));
  EXPECT_EQ(idle_ms(lru_clock(kNow), kNow + 7000), 7000);
}

}  // namespace
}  // namespace cachet::store
