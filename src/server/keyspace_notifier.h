#pragma once
// Publishes keyspace events as Valkey does: "<event>" on __keyspace@<db>__:<key> when K is
// configured, "<key>" on __keyevent@<db>__:<event> when E is. The engine has already checked
// that the event's class is enabled.
#include <string>

#include "commands/engine.h"
#include "commands/notifications.h"

namespace cachet::server {

class KeyspaceNotifier : public commands::EventSink {
 public:
  explicit KeyspaceNotifier(commands::Engine* engine) : engine_(*engine) {}

  void keyspace_event(uint32_t cls, std::string_view event, int db,
                      std::string_view key) override;

 private:
  // Builds "<prefix><db>__:<suffix>" in the reused buffer.
  std::string_view channel(std::string_view prefix, int db, std::string_view suffix);

  commands::Engine& engine_;
  std::string channel_;  // reused, so an event allocates only when a name outgrows it
};

}  // namespace cachet::server
