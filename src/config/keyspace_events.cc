#include "config/keyspace_events.h"

namespace cachet::config {
namespace {

// In the order CONFIG GET prints the data classes.
constexpr struct {
  char letter;
  uint32_t flag;
} kDataClasses[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString},  {'l', kNotifyList},  {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},    {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule},  {'n', kNotifyNew},
};

}  // namespace

bool parse_keyspace_events(std::string_view letters, uint32_t* flags) {
  uint32_t out = 0;
  for (char ch : letters) {
    switch (ch) {
      case 'A': out |= kNotifyAll; break;
      case 'K': out |= kNotifyKeyspace; break;
      case 'E': out |= kNotifyKeyevent; break;
      case 'm': out |= kNotifyKeyMiss; break;
      default: {
        bool known = false;
        for (const auto& c : kDataClasses) {
          if (c.letter == ch) {
            out |= c.flag;
            known = true;
          }
        }
        if (!known) return false;
      }
    }
  }
  *flags = out;
  return true;
}

std::string format_keyspace_events(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
    // n is outside A, and Valkey (like Redis) then drops it from the printed form too.
  } else {
    for (const auto& c : kDataClasses)
      if (flags & c.flag) out += c.letter;
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

}  // namespace cachet::config
