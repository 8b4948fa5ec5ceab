#include "commands/pubsub_registry.h"

#include <algorithm>

#include "common/glob.h"

namespace cachet::commands {

bool PubSubRegistry::subscribe(Subscriber& s, PubSubKind kind, std::string_view name) {
  auto& mine = s.names_[static_cast<size_t>(kind)];
  if (mine.find(name) != mine.end()) return false;
  bool was_subscribed = s.in_pubsub_context();
  mine.emplace(name);
  Table& t = table(kind);
  auto it = t.find(name);
  if (it == t.end()) it = t.emplace(std::string(name), std::vector<Subscriber*>{}).first;
  it->second.push_back(&s);
  if (!was_subscribed) ++subscribed_clients_;
  return true;
}

bool PubSubRegistry::unsubscribe(Subscriber& s, PubSubKind kind, std::string_view name) {
  auto& mine = s.names_[static_cast<size_t>(kind)];
  auto own = mine.find(name);
  if (own == mine.end()) return false;
  Table& t = table(kind);
  auto it = t.find(name);
  if (it != t.end()) {
    std::erase(it->second, &s);
    // A channel nobody listens to is forgotten, so PUBSUB CHANNELS and memory stay bounded.
    if (it->second.empty()) t.erase(it);
  }
  mine.erase(own);
  if (!s.in_pubsub_context()) --subscribed_clients_;
  return true;
}

void PubSubRegistry::unsubscribe_all(Subscriber& s) {
  for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kPattern, PubSubKind::kShard}) {
    auto& mine = s.names_[static_cast<size_t>(kind)];
    while (!mine.empty()) {
      std::string name = *mine.begin();
      unsubscribe(s, kind, name);
    }
  }
}

int64_t PubSubRegistry::publish(PubSubKind kind, std::string_view channel,
                                std::string_view payload) {
  int64_t receivers = 0;
  const Table& t = table(kind);
  if (auto it = t.find(channel); it != t.end()) {
    PubSubMessage m{kind, {}, channel, payload};
    for (Subscriber* s : it->second) s->deliver(m);
    receivers += static_cast<int64_t>(it->second.size());
  }
  if (kind != PubSubKind::kChannel) return receivers;
  for (const auto& [pattern, subscribers] : table(PubSubKind::kPattern)) {
    if (!glob_match(pattern, channel)) continue;
    PubSubMessage m{PubSubKind::kPattern, pattern, channel, payload};
    for (Subscriber* s : subscribers) s->deliver(m);
    receivers += static_cast<int64_t>(subscribers.size());
  }
  return receivers;
}

std::vector<std::string_view> PubSubRegistry::channels(
    PubSubKind kind, std::optional<std::string_view> pattern) const {
  std::vector<std::string_view> out;
  for (const auto& [name, subscribers] : table(kind)) {
    if (!pattern || glob_match(*pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSubRegistry::subscriber_count(PubSubKind kind, std::string_view name) const {
  const Table& t = table(kind);
  auto it = t.find(name);
  return it == t.end() ? 0 : it->second.size();
}

}  // namespace cachet::commands
