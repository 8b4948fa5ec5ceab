#pragma once
// Pub/Sub bookkeeping: who listens to which channel, pattern or shard channel, and delivery of
// published messages. Both directions are kept: channel -> subscribers for PUBLISH, and each
// subscriber's own names for UNSUBSCRIBE without arguments, the counts in confirmations and
// CLIENT LIST. Pure data: a Subscriber is anything that can take a message (the server's
// Client; a fake in the unit tests).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cachet::commands {

// The three independent namespaces of subscriptions. Shard channels (SSUBSCRIBE) never match
// patterns; in standalone mode they are otherwise ordinary channels.
enum class PubSubKind : uint8_t { kChannel = 0, kPattern = 1, kShard = 2 };

struct PubSubMessage {
  PubSubKind via;             // kChannel: "message", kPattern: "pmessage", kShard: "smessage"
  std::string_view pattern;   // the matching pattern when via == kPattern
  std::string_view channel;
  std::string_view payload;
};

class Subscriber {
 public:
  // Called during PUBLISH. Must not subscribe or unsubscribe anyone (the registry is being
  // iterated); closing the connection later is fine.
  virtual void deliver(const PubSubMessage& message) = 0;

  size_t subscription_count(PubSubKind kind) const {
    return names_[static_cast<size_t>(kind)].size();
  }
  // What SUBSCRIBE, PSUBSCRIBE and their UNSUBSCRIBEs report: channels plus patterns.
  size_t channel_and_pattern_count() const {
    return subscription_count(PubSubKind::kChannel) + subscription_count(PubSubKind::kPattern);
  }
  // Any subscription at all puts a client in the Pub/Sub context (flag P, the RESP2 command
  // restriction, the pubsub output buffer class).
  bool in_pubsub_context() const {
    return channel_and_pattern_count() + subscription_count(PubSubKind::kShard) > 0;
  }
  const std::set<std::string, std::less<>>& names(PubSubKind kind) const {
    return names_[static_cast<size_t>(kind)];
  }

 protected:
  ~Subscriber() = default;

 private:
  friend class PubSubRegistry;
  std::set<std::string, std::less<>> names_[3];
};

class PubSubRegistry {
 public:
  // True if `s` was not yet subscribed to `name` of this kind.
  bool subscribe(Subscriber& s, PubSubKind kind, std::string_view name);
  // True if `s` was subscribed.
  bool unsubscribe(Subscriber& s, PubSubKind kind, std::string_view name);
  // Drops every subscription of `s` silently (RESET, disconnect).
  void unsubscribe_all(Subscriber& s);

  // Delivers `payload` to the subscribers of `channel` (kChannel or kShard) and, for kChannel,
  // to every pattern subscription matching it. Returns the number of deliveries, as PUBLISH
  // answers: a client matching by channel and by two patterns counts three times.
  int64_t publish(PubSubKind kind, std::string_view channel, std::string_view payload);

  // Active channels (kChannel or kShard), optionally only those matching a glob pattern.
  std::vector<std::string_view> channels(PubSubKind kind,
                                         std::optional<std::string_view> pattern) const;
  size_t subscriber_count(PubSubKind kind, std::string_view name) const;
  // Distinct channels, patterns or shard channels with at least one subscriber.
  size_t active_count(PubSubKind kind) const { return table(kind).size(); }
  // Subscribers with any subscription (INFO pubsub_clients).
  size_t subscribed_clients() const { return subscribed_clients_; }
  // Nothing could receive a non-shard message: lets keyspace notifications skip building
  // channel names.
  bool no_channel_listeners() const {
    return table(PubSubKind::kChannel).empty() && table(PubSubKind::kPattern).empty();
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Subscribers in subscription order. Removal is linear in one channel's subscriber count,
  // which stays small in practice; delivery, the hot path, is a plain walk.
  using Table = std::unordered_map<std::string, std::vector<Subscriber*>, Hash, std::equal_to<>>;

  Table& table(PubSubKind kind) { return tables_[static_cast<size_t>(kind)]; }
  const Table& table(PubSubKind kind) const { return tables_[static_cast<size_t>(kind)]; }

  Table tables_[3];  // indexed by PubSubKind
  size_t subscribed_clients_ = 0;
};

}  // namespace cachet::commands
