#pragma once
// Keyspace notifications: the event classes (the letters of notify-keyspace-events) and the
// seam commands publish through. Commands call Engine::notify at each change with the event
// name Valkey uses ("set", "lpush", "expired", ...); the server decides, from the configured
// classes, whether anything is published.
#include <cstdint>
#include <string_view>

#include "config/keyspace_events.h"

namespace cachet::commands {

// The classes are defined with the directive that selects them; commands name them from here.
using config::NotifyClass;
using config::kNotifyKeyspace;
using config::kNotifyKeyevent;
using config::kNotifyGeneric;
using config::kNotifyString;
using config::kNotifyList;
using config::kNotifySet;
using config::kNotifyHash;
using config::kNotifyZset;
using config::kNotifyExpired;
using config::kNotifyEvicted;
using config::kNotifyStream;
using config::kNotifyKeyMiss;
using config::kNotifyModule;
using config::kNotifyNew;
using config::kNotifyAll;

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void keyspace_event(uint32_t cls, std::string_view event, int db,
                              std::string_view key) = 0;
};

}  // namespace cachet::commands
