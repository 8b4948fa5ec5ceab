#include "store/keyspace.h"

#include <utility>

#include "common/clock.h"

namespace cachet::store {

Keyspace::Keyspace(size_t databases) {
  dbs_.reserve(databases);
  for (size_t i = 0; i < databases; ++i) dbs_.emplace_back(&stats_, &access_, &expiry_paused_);
}

void Keyspace::swap(size_t a, size_t b) {
  std::swap(dbs_[a], dbs_[b]);
  // The observers know their database by number, which the swap just exchanged.
  install_observers(a);
  install_observers(b);
}

void Keyspace::set_expired_observer(std::function<void(size_t, std::string_view)> fn) {
  on_expired_ = std::move(fn);
  for (size_t i = 0; i < dbs_.size(); ++i) install_observers(i);
}

void Keyspace::set_created_observer(std::function<void(size_t, std::string_view)> fn) {
  on_created_ = std::move(fn);
  for (size_t i = 0; i < dbs_.size(); ++i) install_observers(i);
}

void Keyspace::set_missed_observer(std::function<void(size_t, std::string_view)> fn) {
  on_missed_ = std::move(fn);
  for (size_t i = 0; i < dbs_.size(); ++i) install_observers(i);
}

// The observers carry the database number, so after SWAPDB they are installed again.
void Keyspace::install_observers(size_t index) {
  if (on_expired_) {
    dbs_[index].set_expired_observer(
        [this, index](std::string_view key) { on_expired_(index, key); });
  }
  if (on_created_) {
    dbs_[index].set_created_observer(
        [this, index](std::string_view key) { on_created_(index, key); });
  }
  if (on_missed_) {
    dbs_[index].set_missed_observer(
        [this, index](std::string_view key) { on_missed_(index, key); });
  }
}

void Keyspace::flush_all() {
  for (Database& db : dbs_) db.clear();
}

size_t Keyspace::total_keys() const {
  size_t n = 0;
  for (const Database& db : dbs_) n += db.size();
  return n;
}

void Keyspace::active_expire_cycle(int64_t now_ms, int64_t deadline_us) {
  if (expiry_paused_) return;
  for (size_t i = 0; i < dbs_.size(); ++i) {
    Database& db = dbs_[next_expire_db_];
    next_expire_db_ = (next_expire_db_ + 1) % dbs_.size();
    if (db.expires_size() > 0) db.active_expire(now_ms, deadline_us, &random_state_);
    if (monotonic_us() > deadline_us) break;
  }
}

void Keyspace::periodic_maintenance() {
  for (Database& db : dbs_) db.periodic_maintenance();
}

}  // namespace cachet::store
