#pragma once
// WATCH bookkeeping: which sessions watch which keys, so that a write, an expiry or a flush of
// a watched key marks those sessions' transactions as doomed. Writes to unwatched keys cost
// one emptiness check.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cachet::commands {

struct Session;
struct WatchedKey;

class WatchRegistry {
 public:
  // `expired_now` records that the key was already logically expired when watched, so that
  // EXEC does not mistake that for a change.
  void watch(Session& session, int db, std::string_view key, bool expired_now);
  void unwatch_all(Session& session);
  // `by_expiry`: the key is being removed because its TTL passed. For a session that watched
  // it when it was already expired that is no change at all.
  void touch(int db, std::string_view key, bool by_expiry = false);
  // Calls fn for every session watching a key in database `db`, with its watch entry.
  void for_each_watch(int db, const std::function<void(Session&, WatchedKey&)>& fn);

  bool empty() const { return by_key_.empty(); }
  size_t watched_keys() const { return by_key_.size(); }
  size_t watching_sessions() const;

 private:
  using Key = std::pair<int, std::string>;
  using KeyView = std::pair<int, std::string_view>;
  // Orders (db, key) and finds by a string_view without building a string.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a.first != b.first ? a.first < b.first
                                : std::string_view(a.second) < std::string_view(b.second);
    }
  };
  std::map<Key, std::vector<Session*>, KeyLess> by_key_;
};

}  // namespace cachet::commands
