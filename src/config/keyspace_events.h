#pragma once
// The event classes of notify-keyspace-events, as bit flags and as the letters valkey.conf
// uses. They live here, below the commands that raise events, so the directive table can
// parse and print them; commands/notifications.h re-exports them for the command families.
#include <cstdint>
#include <string>
#include <string_view>

namespace cachet::config {

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
  // A: every data class; K, E, m and n must be named on their own.
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Letters to flags; false if a letter names no class.
bool parse_keyspace_events(std::string_view letters, uint32_t* flags);
// Flags to letters in Valkey's canonical form: "A" for all data classes, then K, E, m.
std::string format_keyspace_events(uint32_t flags);

}  // namespace cachet::config
