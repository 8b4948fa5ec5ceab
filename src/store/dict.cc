#include "store/dict.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "store/hash.h"
#include "store/memory.h"

namespace cachet::store {
namespace {
constexpr size_t kInitialSize = 4;
// Below 1/8 full the table shrinks, as Valkey does; above 1 entry per bucket it grows.
constexpr size_t kMinFillDivisor = 8;
// Up to this many entries per bucket (x1000), growing waits if it would break maxmemory.
constexpr size_t kMaxDeferredLoadPermille = 1618;
}  // namespace

Dict::Dict(Dict&& other) noexcept { *this = std::move(other); }

Dict& Dict::operator=(Dict&& other) noexcept {
  if (this == &other) return *this;
  clear();
  for (int t = 0; t < 2; ++t) {
    table_[t] = std::move(other.table_[t]);
    size_[t] = std::exchange(other.size_[t], 0);
    used_[t] = std::exchange(other.used_[t], 0);
  }
  rehash_idx_ = std::exchange(other.rehash_idx_, -1);
  return *this;
}

Entry* Dict::find(std::string_view key) {
  if (size() == 0) return nullptr;
  rehash_on_access();
  uint64_t h = hash_key(key);
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    for (Entry* e = table_[t][h & (size_[t] - 1)]; e != nullptr; e = e->next) {
      if (e->key_len == key.size() && std::memcmp(e->key, key.data(), key.size()) == 0) return e;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

Entry* Dict::insert(std::string_view key, Value value) {
  rehash_on_access();
  expand_if_needed();
  void* mem = std::malloc(sizeof(Entry) + key.size());
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = static_cast<Entry*>(mem);
  new (&e->value) Value(std::move(value));
  e->lru = 0;
  e->key_len = static_cast<uint32_t>(key.size());
  e->has_expire = 0;
  std::memcpy(e->key, key.data(), key.size());
  int t = rehashing() ? 1 : 0;
  size_t idx = hash_key(key) & (size_[t] - 1);
  e->next = table_[t][idx];
  table_[t][idx] = e;
  ++used_[t];
  return e;
}

Entry* Dict::detach(std::string_view key) {
  if (size() == 0) return nullptr;
  rehash_on_access();
  uint64_t h = hash_key(key);
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    Entry** link = &table_[t][h & (size_[t] - 1)];
    for (Entry* e = *link; e != nullptr; link = &e->next, e = e->next) {
      if (e->key_len == key.size() && std::memcmp(e->key, key.data(), key.size()) == 0) {
        *link = e->next;
        --used_[t];
        return e;
      }
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

void Dict::free_entry(Entry* e) {
  e->value.~Value();
  std::free(e);
}

void Dict::clear() {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_[t]; ++i) {
      for (Entry* e = table_[t][i]; e != nullptr;) {
        Entry* next = e->next;
        free_entry(e);
        e = next;
      }
    }
    table_[t].reset();
    size_[t] = used_[t] = 0;
  }
  rehash_idx_ = -1;
}

void Dict::expand_if_needed() {
  if (rehashing()) return;
  if (size_[0] == 0) {
    resize(kInitialSize);
  } else if (used_[0] >= size_[0]) {
    // As Valkey: a bigger bucket array that would take the process over maxmemory is put
    // off while chains are still short, so a resize alone never forces evictions.
    bool overloaded = used_[0] * 1000 > size_[0] * kMaxDeferredLoadPermille;
    if (!overloaded && would_exceed_limit(size_[0] * 2 * sizeof(Entry*))) return;
    resize(size_[0] * 2);
  }
}

void Dict::maybe_shrink() {
  if (rehashing() || size_[0] <= kInitialSize) return;
  if (used_[0] * kMinFillDivisor < size_[0]) {
    size_t target = kInitialSize;
    while (target < used_[0]) target *= 2;
    resize(target);
  }
}

void Dict::reserve(size_t n) {
  if (size() != 0 || rehashing() || n <= size_[0]) return;
  size_t target = kInitialSize;
  while (target < n) target *= 2;
  table_[0].reset();
  size_[0] = 0;
  resize(target);
}

void Dict::resize(size_t new_size) {
  auto table = std::make_unique<Entry*[]>(new_size);  // zero-initialised
  if (size_[0] == 0) {
    table_[0] = std::move(table);
    size_[0] = new_size;
    return;
  }
  table_[1] = std::move(table);
  size_[1] = new_size;
  used_[1] = 0;
  rehash_idx_ = 0;
}

bool Dict::rehash_step(int n) {
  if (!rehashing()) return false;
  int empty_visits = n * 10;  // bound the work when many buckets are empty
  while (n-- > 0 && used_[0] != 0) {
    while (table_[0][rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return true;
    }
    Entry* e = table_[0][rehash_idx_];
    while (e != nullptr) {
      Entry* next = e->next;
      size_t idx = hash_key(e->key_view()) & (size_[1] - 1);
      e->next = table_[1][idx];
      table_[1][idx] = e;
      --used_[0];
      ++used_[1];
      e = next;
    }
    table_[0][rehash_idx_] = nullptr;
    ++rehash_idx_;
  }
  if (used_[0] == 0) {
    table_[0] = std::move(table_[1]);
    size_[0] = size_[1];
    used_[0] = used_[1];
    size_[1] = used_[1] = 0;
    rehash_idx_ = -1;
    return false;
  }
  return true;
}

size_t Dict::sample(uint64_t random, size_t max, Entry** out) {
  if (size() == 0 || max == 0) return 0;
  for (size_t i = 0; i < max && rehashing(); ++i) rehash_step(1);
  size_t span = std::max(size_[0], size_[1]);
  size_t mask = span - 1;
  uint64_t r = random;
  size_t idx = r & mask;
  size_t n = 0;
  size_t empty_run = 0;
  for (size_t steps = max * 10; n < max && steps > 0; --steps) {
    bool empty = true;
    for (int t = 0; t < (rehashing() ? 2 : 1); ++t) {
      // Buckets of the old table below the rehash index have moved; the smaller table has
      // fewer buckets than the index space.
      if (t == 0 && rehashing() && idx < static_cast<size_t>(rehash_idx_)) continue;
      if (idx >= size_[t]) continue;
      for (Entry* e = table_[t][idx]; e != nullptr && n < max; e = e->next) {
        out[n++] = e;
        empty = false;
      }
    }
    if (empty && ++empty_run >= 5 && empty_run > max) {
      // A long empty stretch: jump elsewhere rather than crawl through it.
      r = r * 6364136223846793005ULL + 1442695040888963407ULL;
      idx = (r >> 11) & mask;
      empty_run = 0;
      continue;
    }
    if (!empty) empty_run = 0;
    idx = (idx + 1) & mask;
  }
  return n;
}

Entry* Dict::random_entry(uint64_t random) {
  if (size() == 0) return nullptr;
  rehash_on_access();
  // Rejection sampling over (bucket, slot) pairs: every entry in a chain of at most kSlots is
  // equally likely, unlike "random bucket, then random element", which favours entries in
  // short chains. Chains are short (load factor <= 1), so longer ones are rare and only they
  // are sampled unevenly.
  constexpr uint64_t kSlots = 8;
  uint64_t r = random;
  for (int attempt = 0; attempt < 1000000; ++attempt) {
    r = r * 6364136223846793005ULL + 1442695040888963407ULL;
    Entry* head;
    if (rehashing()) {
      size_t span = size_[0] + size_[1] - static_cast<size_t>(rehash_idx_);
      size_t i = static_cast<size_t>(rehash_idx_) + (r >> 11) % span;
      head = i >= size_[0] ? table_[1][i - size_[0]] : table_[0][i];
    } else {
      head = table_[0][(r >> 11) & (size_[0] - 1)];
    }
    if (head == nullptr) continue;
    uint64_t slot = (r >> 3) % kSlots;
    Entry* e = head;
    for (uint64_t j = 0; e != nullptr && j < slot; ++j) e = e->next;
    if (e != nullptr) return e;
  }
  return nullptr;
}

}  // namespace cachet::store
