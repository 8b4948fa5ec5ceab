#include "server/keyspace_notifier.h"

#include <fmt/format.h>

namespace cachet::server {

std::string_view KeyspaceNotifier::channel(std::string_view prefix, int db,
                                           std::string_view suffix) {
  channel_.clear();
  channel_.append(prefix);
  fmt::format_to(std::back_inserter(channel_), "{}", db);
  channel_.append("__:");
  channel_.append(suffix);
  return channel_;
}

void KeyspaceNotifier::keyspace_event(uint32_t, std::string_view event, int db,
                                      std::string_view key) {
  uint32_t flags = engine_.config.notify_keyspace_events;
  // Nobody could hear it: skip building the channel names.
  if (engine_.pubsub.no_channel_listeners()) return;
  if (flags & commands::kNotifyKeyspace) {
    engine_.pubsub.publish(commands::PubSubKind::kChannel, channel("__keyspace@", db, key),
                           event);
  }
  if (flags & commands::kNotifyKeyevent) {
    engine_.pubsub.publish(commands::PubSubKind::kChannel, channel("__keyevent@", db, event),
                           key);
  }
}

}  // namespace cachet::server
