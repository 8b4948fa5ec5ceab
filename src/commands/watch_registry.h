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

class WatchRegistry {
 public:
  // `expired_now` records that the key was already logically expired when watched, so that
  // EXEC does not mistake that for a change.
  void watch(Session& session, int db, std::string_view key, bool expired_now);
  void unwatch_all(Session& session);
  void touch(int db, std::string_view key);
  // Before database `db` is emptied or swapped: dirties the watchers of every watched key in
  // it for which `existed` says the key was there.
  void touch_db(int db, const std::function<bool(std::string_view)>& existed);

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
