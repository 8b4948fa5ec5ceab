#pragma once
// Keyspace notifications: the event classes (the letters of notify-keyspace-events) and the
// seam commands publish through. Commands call Engine::notify at each change with the event
// name Valkey uses ("set", "lpush", "expired", ...); the server decides, from the configured
// classes, whether anything is published.
#include <cstdint>
#include <string_view>

namespace cachet::commands {

enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,   // K: __keyspace@<db>__:<key> channels
  kNotifyKeyevent = 1u << 1,   // E: __keyevent@<db>__:<event> channels
  kNotifyGeneric = 1u << 2,    // g: DEL EXPIRE RENAME ...
  kNotifyString = 1u << 3,     // $
  kNotifyList = 1u << 4,       // l
  kNotifySet = 1u << 5,        // s
  kNotifyHash = 1u << 6,       // h
  kNotifyZset = 1u << 7,       // z
  kNotifyExpired = 1u << 8,    // x
  kNotifyEvicted = 1u << 9,    // e
  kNotifyStream = 1u << 10,    // t
  kNotifyKeyMiss = 1u << 11,   // m (not part of A)
  kNotifyModule = 1u << 12,    // d
  kNotifyNew = 1u << 13,       // n (not part of A)
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void keyspace_event(uint32_t cls, std::string_view event, int db,
                              std::string_view key) = 0;
};

}  // namespace cachet::commands
