#pragma once
// Per-key access metadata for eviction and OBJECT IDLETIME / OBJECT FREQ, kept in 24 bits of
// the key's Entry as Valkey keeps it in the object header:
//   LRU policies: a seconds clock modulo 2^24 (wraps every ~194 days; idle time allows for it).
//   LFU policies: 16 bits of "last decrement time" in minutes, then an 8-bit logarithmic
//   counter. The counter grows with probability 1/((counter-5)*lfu-log-factor+1), so 255
//   stands for millions of hits, and loses one point per lfu-decay-time minutes of no access.
// Switching policy at run time leaves old stamps in the other format; they settle as keys are
// touched again (the same caveat Valkey's OBJECT errors spell out).
#include <cstdint>

namespace cachet::store {

inline constexpr uint32_t kLruClockMax = (1u << 24) - 1;
inline constexpr uint32_t kLfuInitCounter = 5;  // new keys are not evicted before their peers

// Seconds-resolution access clock kept in 24 bits.
inline uint32_t lru_clock(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 1000) & kLruClockMax;
}
// Milliseconds since an entry's clock stamp, allowing for the 24-bit wrap.
inline int64_t idle_ms(uint32_t stamp, int64_t now_ms) {
  uint32_t now = lru_clock(now_ms);
  int64_t ticks = now >= stamp ? now - stamp : int64_t{now} + (kLruClockMax + 1 - stamp);
  return ticks * 1000;
}
inline int64_t idle_seconds(uint32_t stamp, int64_t now_ms) {
  return idle_ms(stamp, now_ms) / 1000;
}

// Minutes clock modulo 2^16, the LFU stamp's time part.
inline uint32_t lfu_minutes(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & 0xFFFF;
}
inline uint32_t lfu_elapsed_minutes(uint32_t last, int64_t now_ms) {
  uint32_t now = lfu_minutes(now_ms);
  return now >= last ? now - last : 0xFFFF - last + now;
}
// The counter after the decay owed since its stamp; the stamp itself is not changed.
inline uint32_t lfu_decayed_counter(uint32_t stamp, int64_t now_ms, int64_t decay_minutes) {
  uint32_t counter = stamp & 0xFF;
  if (decay_minutes <= 0) return counter;
  uint64_t periods = lfu_elapsed_minutes(stamp >> 8, now_ms) / static_cast<uint64_t>(decay_minutes);
  return periods >= counter ? 0 : counter - static_cast<uint32_t>(periods);
}
// One logarithmic increment; `random01` is uniform in [0, 1).
inline uint32_t lfu_log_increment(uint32_t counter, int64_t log_factor, double random01) {
  if (counter >= 255) return 255;
  double base = counter > kLfuInitCounter ? counter - kLfuInitCounter : 0;
  double p = 1.0 / (base * static_cast<double>(log_factor) + 1.0);
  return random01 < p ? counter + 1 : counter;
}
inline uint32_t lfu_stamp(uint32_t counter, int64_t now_ms) {
  return (lfu_minutes(now_ms) << 8) | (counter & 0xFF);
}

// How keys are stamped: the keyspace's shared setting, changed by CONFIG SET
// maxmemory-policy / lfu-log-factor / lfu-decay-time.
class AccessTracking {
 public:
  bool lfu() const { return lfu_; }
  int64_t lfu_log_factor() const { return log_factor_; }
  int64_t lfu_decay_time() const { return decay_time_; }
  // While set, lookups leave stamps alone (a CLIENT NO-TOUCH client's command is running).
  bool suppressed() const { return suppressed_; }
  void set_suppressed(bool on) { suppressed_ = on; }
  void configure(bool lfu, int64_t log_factor, int64_t decay_time) {
    lfu_ = lfu;
    log_factor_ = log_factor;
    decay_time_ = decay_time;
  }

  // The stamp a newly created key gets.
  uint32_t initial(int64_t now_ms) const {
    return lfu_ ? lfu_stamp(kLfuInitCounter, now_ms) : lru_clock(now_ms);
  }
  // The stamp after an access to a key stamped `stamp`.
  uint32_t touched(uint32_t stamp, int64_t now_ms) {
    if (!lfu_) return lru_clock(now_ms);
    uint32_t counter = lfu_decayed_counter(stamp, now_ms, decay_time_);
    return lfu_stamp(lfu_log_increment(counter, log_factor_, next_random01()), now_ms);
  }

 private:
  // xorshift64*: the increment needs a cheap coin flip, not a good random source.
  double next_random01() {
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    return static_cast<double>((rng_ * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
  }

  bool lfu_ = false;
  bool suppressed_ = false;
  int64_t log_factor_ = 10;
  int64_t decay_time_ = 1;
  uint64_t rng_ = 0x2545F4914F6CDD1DULL;
};

}  // namespace cachet::store
