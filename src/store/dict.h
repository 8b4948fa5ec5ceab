#pragma once
// The keyspace hash table: chained buckets in a power-of-two table, resized by incremental
// rehashing (a few buckets per operation, never a stop-the-world copy), and scanned with
// Redis's reverse-binary cursor, which returns every key present for the whole scan at least
// once even when the table grows or shrinks between calls.
//
// Each key lives in one Entry allocation together with its value header, so a small string
// key/value pair is a single malloc.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "store/value.h"

namespace cachet::store {

struct Entry {
  Entry* next;
  Value value;
  // Access stamp for eviction and OBJECT IDLETIME/FREQ: 24 bits used (store/access_clock.h);
  // the top 8 bits are free for future per-key flags.
  uint32_t lru;
  uint32_t key_len : 31;
  uint32_t has_expire : 1;
  char key[];

  std::string_view key_view() const { return {key, key_len}; }
};

class Dict {
 public:
  Dict() = default;
  ~Dict() { clear(); }
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& other) noexcept;
  Dict& operator=(Dict&& other) noexcept;

  size_t size() const { return used_[0] + used_[1]; }
  size_t bucket_count() const { return size_[0] + size_[1]; }
  bool rehashing() const { return rehash_idx_ >= 0; }

  Entry* find(std::string_view key);
  // Inserts a key known to be absent.
  Entry* insert(std::string_view key, Value value);
  // Unlinks the entry for `key` and returns it (caller frees with free_entry), or nullptr.
  Entry* detach(std::string_view key);
  static void free_entry(Entry* e);
  void clear();

  // Visits the entries of one cursor step; returns the next cursor (0 when done).
  template <typename Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn);
  // A uniformly chosen bucket's random entry; nullptr when empty.
  Entry* random_entry(uint64_t random);
  // Up to `max` entries from consecutive buckets starting at a random one, as Valkey's
  // dictGetSomeKeys: cheap, not uniform, which is all the eviction sampler needs. Returns how
  // many were written to `out`.
  size_t sample(uint64_t random, size_t max, Entry** out);
  template <typename Fn>
  void for_each(Fn&& fn);

  // Moves up to n buckets to the new table; true while rehashing remains.
  bool rehash_step(int n);
  // Shrinks a mostly empty table; called from the server's periodic task.
  void maybe_shrink();
  // Sizes an empty table for `n` entries at once (loading a dump that says how many keys
  // follow), instead of doubling and rehashing its way there.
  void reserve(size_t n);
  // Bytes of the bucket arrays.
  size_t overhead_bytes() const { return (size_[0] + size_[1]) * sizeof(Entry*); }

 private:
  void expand_if_needed();
  void resize(size_t new_size);
  void rehash_on_access() {
    if (rehash_idx_ >= 0) rehash_step(1);
  }

  std::unique_ptr<Entry*[]> table_[2];
  size_t size_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  int64_t rehash_idx_ = -1;
};

namespace detail {
inline uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}
// Increments the cursor's reversed bits above `mask`: the next bucket in reverse-binary order.
inline uint64_t next_cursor(uint64_t v, uint64_t mask) {
  v |= ~mask;
  v = reverse_bits(v);
  ++v;
  return reverse_bits(v);
}
}  // namespace detail

template <typename Fn>
uint64_t Dict::scan(uint64_t v, Fn&& fn) {
  if (size() == 0) return 0;
  auto visit = [&](Entry* e) {
    while (e != nullptr) {
      Entry* next = e->next;  // fn may not delete, but keep iteration independent of it
      fn(e);
      e = next;
    }
  };
  if (!rehashing()) {
    uint64_t m0 = size_[0] - 1;
    visit(table_[0][v & m0]);
    return detail::next_cursor(v, m0);
  }
  int small = size_[0] <= size_[1] ? 0 : 1;
  int large = 1 - small;
  uint64_t m0 = size_[small] - 1, m1 = size_[large] - 1;
  visit(table_[small][v & m0]);
  // Then every bucket of the larger table that the smaller table's bucket expands to.
  do {
    visit(table_[large][v & m1]);
    v = detail::next_cursor(v, m1);
  } while (v & (m0 ^ m1));
  return v;
}

template <typename Fn>
void Dict::for_each(Fn&& fn) {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_[t]; ++i) {
      for (Entry* e = table_[t][i]; e != nullptr;) {
        Entry* next = e->next;
        fn(e);
        e = next;
      }
    }
  }
}

}  // namespace cachet::store
