#include "commands/pubsub_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cachet::commands {
namespace {

// Records what it receives as "kind pattern channel payload" lines.
class FakeSubscriber : public Subscriber {
 public:
  void deliver(const PubSubMessage& m) override {
    std::string kind = m.via == PubSubKind::kChannel   ? "message"
                       : m.via == PubSubKind::kPattern ? "pmessage"
                                                       : "smessage";
    received.push_back(kind + " " + std::string(m.pattern) + " " + std::string(m.channel) + " " +
                       std::string(m.payload));
  }
  std::vector<std::string> received;
};

TEST(PubSubRegistryTest, SubscribeIsIdempotentPerName) {
  PubSubRegistry r;
  FakeSubscriber a;
  EXPECT_TRUE(r.subscribe(a, PubSubKind::kChannel, "news"));
  EXPECT_FALSE(r.subscribe(a, PubSubKind::kChannel, "news"));
  EXPECT_TRUE(r.subscribe(a, PubSubKind::kPattern, "news"));  // another namespace
  EXPECT_EQ(a.subscription_count(PubSubKind::kChannel), 1u);
  EXPECT_EQ(a.channel_and_pattern_count(), 2u);
  EXPECT_EQ(r.subscriber_count(PubSubKind::kChannel, "news"), 1u);
  EXPECT_EQ(r.subscribed_clients(), 1u);
}

TEST(PubSubRegistryTest, PublishCountsChannelAndPatternDeliveries) {
  PubSubRegistry r;
  FakeSubscriber a, b;
  r.subscribe(a, PubSubKind::kChannel, "news.tech");
  r.subscribe(a, PubSubKind::kPattern, "news.*");
  r.subscribe(b, PubSubKind::kPattern, "news.*");
  r.subscribe(b, PubSubKind::kPattern, "*.tech");
  r.subscribe(b, PubSubKind::kPattern, "sports.*");
  EXPECT_EQ(r.publish(PubSubKind::kChannel, "news.tech", "hi"), 4);
  EXPECT_EQ(a.received.size(), 2u);
  EXPECT_EQ(a.received[0], "message  news.tech hi");
  EXPECT_EQ(a.received[1], "pmessage news.* news.tech hi");
  EXPECT_EQ(b.received.size(), 2u);
  EXPECT_EQ(r.publish(PubSubKind::kChannel, "weather", "x"), 0);
}

TEST(PubSubRegistryTest, ShardChannelsIgnorePatternsAndPlainChannels) {
  PubSubRegistry r;
  FakeSubscriber a;
  r.subscribe(a, PubSubKind::kPattern, "*");
  r.subscribe(a, PubSubKind::kChannel, "c");
  EXPECT_EQ(r.publish(PubSubKind::kShard, "c", "x"), 0);
  r.subscribe(a, PubSubKind::kShard, "c");
  EXPECT_EQ(r.publish(PubSubKind::kShard, "c", "y"), 1);
  ASSERT_EQ(a.received.size(), 1u);
  EXPECT_EQ(a.received[0], "smessage  c y");
  EXPECT_EQ(a.subscription_count(PubSubKind::kShard), 1u);
  EXPECT_EQ(a.channel_and_pattern_count(), 2u);
}

TEST(PubSubRegistryTest, EmptyChannelsAreForgotten) {
  PubSubRegistry r;
  FakeSubscriber a, b;
  r.subscribe(a, PubSubKind::kChannel, "c");
  r.subscribe(b, PubSubKind::kChannel, "c");
  EXPECT_TRUE(r.unsubscribe(a, PubSubKind::kChannel, "c"));
  EXPECT_FALSE(r.unsubscribe(a, PubSubKind::kChannel, "c"));
  EXPECT_EQ(r.active_count(PubSubKind::kChannel), 1u);
  EXPECT_TRUE(r.unsubscribe(b, PubSubKind::kChannel, "c"));
  EXPECT_EQ(r.active_count(PubSubKind::kChannel), 0u);
  EXPECT_TRUE(r.no_channel_listeners());
  EXPECT_EQ(r.subscribed_clients(), 0u);
  EXPECT_FALSE(a.in_pubsub_context());
}

TEST(PubSubRegistryTest, UnsubscribeAllLeavesNothingBehind) {
  PubSubRegistry r;
  FakeSubscriber a, b;
  r.subscribe(a, PubSubKind::kChannel, "c1");
  r.subscribe(a, PubSubKind::kChannel, "c2");
  r.subscribe(a, PubSubKind::kPattern, "p*");
  r.subscribe(a, PubSubKind::kShard, "s");
  r.subscribe(b, PubSubKind::kChannel, "c1");
  EXPECT_EQ(r.subscribed_clients(), 2u);
  r.unsubscribe_all(a);
  EXPECT_FALSE(a.in_pubsub_context());
  EXPECT_EQ(r.subscribed_clients(), 1u);
  EXPECT_EQ(r.active_count(PubSubKind::kChannel), 1u);
  EXPECT_EQ(r.active_count(PubSubKind::kPattern), 0u);
  EXPECT_EQ(r.active_count(PubSubKind::kShard), 0u);
  EXPECT_EQ(r.publish(PubSubKind::kChannel, "c1", "m"), 1);
  EXPECT_TRUE(a.received.empty());
}

TEST(PubSubRegistryTest, ChannelListFiltersByGlob) {
  PubSubRegistry r;
  FakeSubscriber a;
  r.subscribe(a, PubSubKind::kChannel, "news.a");
  r.subscribe(a, PubSubKind::kChannel, "news.b");
  r.subscribe(a, PubSubKind::kChannel, "other");
  r.subscribe(a, PubSubKind::kShard, "news.s");
  EXPECT_EQ(r.channels(PubSubKind::kChannel, std::nullopt).size(), 3u);
  auto news = r.channels(PubSubKind::kChannel, "news.*");
  EXPECT_EQ(news.size(), 2u);
  auto shard = r.channels(PubSubKind::kShard, std::nullopt);
  ASSERT_EQ(shard.size(), 1u);
  EXPECT_EQ(shard[0], "news.s");
}

}  // namespace
}  // namespace cachet::commands
