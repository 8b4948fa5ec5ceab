// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the shard variants
// SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, and PUBSUB introspection. Confirmations are push frames in
// RESP3 and plain arrays in RESP2, and they are the command's whole reply: one frame per
// channel. Which commands a subscribed RESP2 client may run is decided by the dispatcher.
#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "commands/families.h"
#include "commands/help_reply.h"
#include "commands/pubsub_registry.h"
#include "commands/spec_builder.h"

namespace cachet::commands {
namespace {

// The words each kind uses in its confirmations.
struct KindWords {
  std::string_view subscribe;
  std::string_view unsubscribe;
};

KindWords words(PubSubKind kind) {
  switch (kind) {
    case PubSubKind::kChannel: return {"subscribe", "unsubscribe"};
    case PubSubKind::kPattern: return {"psubscribe", "punsubscribe"};
    case PubSubKind::kShard: return {"ssubscribe", "sunsubscribe"};
  }
  return {};
}

// The count a confirmation carries: shard subscriptions are counted apart from the rest.
int64_t confirmation_count(const Subscriber& s, PubSubKind kind) {
  return static_cast<int64_t>(kind == PubSubKind::kShard
                                  ? s.subscription_count(PubSubKind::kShard)
                                  : s.channel_and_pattern_count());
}

void confirm(CommandContext& ctx, std::string_view what, const std::string_view* name,
             int64_t count) {
  ctx.reply.push(3);
  ctx.reply.bulk(what);
  if (name != nullptr) {
    ctx.reply.bulk(*name);
  } else {
    ctx.reply.null();
  }
  ctx.reply.integer(count);
}

void subscribe_generic(CommandContext& ctx, PubSubKind kind) {
  Subscriber& s = *ctx.session.subscriber;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    ctx.engine.pubsub.subscribe(s, kind, ctx.arg(i));
    std::string_view name = ctx.arg(i);
    confirm(ctx, words(kind).subscribe, &name, confirmation_count(s, kind));
  }
}

void unsubscribe_generic(CommandContext& ctx, PubSubKind kind) {
  Subscriber& s = *ctx.session.subscriber;
  std::string_view what = words(kind).unsubscribe;
  if (ctx.argc() > 1) {
    // Every name named gets its confirmation, subscribed or not.
    for (size_t i = 1; i < ctx.argc(); ++i) {
      ctx.engine.pubsub.unsubscribe(s, kind, ctx.arg(i));
      std::string_view name = ctx.arg(i);
      confirm(ctx, what, &name, confirmation_count(s, kind));
    }
    return;
  }
  if (s.subscription_count(kind) == 0) {
    // Nothing of this kind to leave: still one confirmation, with a null name.
    return confirm(ctx, what, nullptr, confirmation_count(s, kind));
  }
  std::vector<std::string> all(s.names(kind).begin(), s.names(kind).end());
  for (const std::string& name : all) {
    ctx.engine.pubsub.unsubscribe(s, kind, name);
    std::string_view view = name;
    confirm(ctx, what, &view, confirmation_count(s, kind));
  }
}

void ssubscribe_command(CommandContext& ctx) {
  // Inside EXEC (Valkey's "deny blocking" state) shard subscriptions are refused outright;
  // SUBSCRIBE and PSUBSCRIBE are allowed there for backward compatibility.
  if (!ctx.session.may_block) {
    return ctx.reply.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  }
  subscribe_generic(ctx, PubSubKind::kShard);
}

void publish_generic(CommandContext& ctx, PubSubKind kind) {
  ctx.reply.integer(ctx.engine.pubsub.publish(kind, ctx.arg(1), ctx.arg(2)));
}

void reply_channel_list(CommandContext& ctx, PubSubKind kind) {
  if (ctx.argc() > 3) {
    return ctx.reply.error(fmt::format(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try PUBSUB HELP.",
        ctx.arg(1).substr(0, 128)));
  }
  std::optional<std::string_view> pattern;
  if (ctx.argc() == 3) pattern = ctx.arg(2);
  std::vector<std::string_view> names = ctx.engine.pubsub.channels(kind, pattern);
  ctx.reply.array(static_cast<int64_t>(names.size()));
  for (std::string_view name : names) ctx.reply.bulk(name);
}

void reply_subscriber_counts(CommandContext& ctx, PubSubKind kind) {
  ctx.reply.array(static_cast<int64_t>(ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.bulk(ctx.arg(i));
    ctx.reply.integer(static_cast<int64_t>(ctx.engine.pubsub.subscriber_count(kind, ctx.arg(i))));
  }
}

void pubsub_help(CommandContext& ctx) {
  reply_help(ctx, {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: "
      "'*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Print this help."});
}

}  // namespace

void register_pubsub_commands(CommandTable& t) {
  const uint64_t acl = kAclPubsub | kAclSlow;
  // Internal flag: may run while a RESP2 client is subscribed.
  const uint32_t sub = kPubsub | kNoscript | kLoading | kStale | kAllowedWhileSubscribed;
  const KeySpec shard_channels{1, -1, 1};
  t.add(cmd("subscribe", -2, sub | kSentinel, acl, kNoKeys,
            {"pubsub", "Listens for messages published to channels.", "2.0.0",
             "O(N) where N is the number of channels to subscribe to."},
            [](CommandContext& ctx) { subscribe_generic(ctx, PubSubKind::kChannel); }));
  t.add(cmd("unsubscribe", -1, sub | kNeedsSubscription | kSentinel, acl, kNoKeys,
            {"pubsub", "Stops listening to messages posted to channels.", "2.0.0",
             "O(N) where N is the number of channels to unsubscribe."},
            [](CommandContext& ctx) { unsubscribe_generic(ctx, PubSubKind::kChannel); }));
  t.add(cmd("psubscribe", -2, sub | kSentinel, acl, kNoKeys,
            {"pubsub",
             "Listens for messages published to channels that match one or more patterns.",
             "2.0.0", "O(N) where N is the number of patterns to subscribe to."},
            [](CommandContext& ctx) { subscribe_generic(ctx, PubSubKind::kPattern); }));
  t.add(cmd("punsubscribe", -1, sub | kNeedsSubscription | kSentinel, acl, kNoKeys,
            {"pubsub",
             "Stops listening to messages published to channels that match one or more "
             "patterns.",
             "2.0.0", "O(N) where N is the number of patterns to unsubscribe."},
            [](CommandContext& ctx) { unsubscribe_generic(ctx, PubSubKind::kPattern); }));
  t.add(cmd("ssubscribe", -2, sub, acl, shard_channels,
            {"pubsub", "Listens for messages published to shard channels.", "7.0.0",
             "O(N) where N is the number of shard channels to subscribe to."},
            ssubscribe_command));
  t.add(cmd("sunsubscribe", -1, sub | kNeedsSubscription, acl, shard_channels,
            {"pubsub", "Stops listening to messages posted to shard channels.", "7.0.0",
             "O(N) where N is the number of shard channels to unsubscribe."},
            [](CommandContext& ctx) { unsubscribe_generic(ctx, PubSubKind::kShard); }));
  t.add(cmd("publish", 3, kPubsub | kLoading | kStale | kFast | kSentinel,
            kAclPubsub | kAclFast, kNoKeys,
            {"pubsub", "Posts a message to a channel.", "2.0.0",
             "O(N+M) where N is the number of clients subscribed to the receiving channel and M "
             "is the total number of subscribed patterns (by any client)."},
            [](CommandContext& ctx) { publish_generic(ctx, PubSubKind::kChannel); }));
  t.add(cmd("spublish", 3, kPubsub | kLoading | kStale | kFast, kAclPubsub | kAclFast,
            KeySpec{1, 1, 1},
            {"pubsub", "Post a message to a shard channel", "7.0.0",
             "O(N) where N is the number of clients subscribed to the receiving shard channel."},
            [](CommandContext& ctx) { publish_generic(ctx, PubSubKind::kShard); }));

  CommandSpec& pubsub = t.add(cmd("pubsub", -2, 0, 0, kNoKeys,
                                  {"pubsub", "A container for Pub/Sub commands.", "2.8.0",
                                   "Depends on subcommand."},
                                  nullptr));
  const uint32_t intro = kPubsub | kLoading | kStale;
  t.add_subcommand(pubsub, cmd("channels", -2, intro, acl, kNoKeys,
                               {"pubsub", "Returns the active channels.", "2.8.0",
                                "O(N) where N is the number of active channels, and assuming "
                                "constant time pattern matching (relatively short channels and "
                                "patterns)"},
                               [](CommandContext& ctx) {
                                 reply_channel_list(ctx, PubSubKind::kChannel);
                               }));
  t.add_subcommand(pubsub, cmd("numsub", -2, intro, acl, kNoKeys,
                               {"pubsub", "Returns a count of subscribers to channels.", "2.8.0",
                                "O(N) for the NUMSUB subcommand, where N is the number of "
                                "requested channels"},
                               [](CommandContext& ctx) {
                                 reply_subscriber_counts(ctx, PubSubKind::kChannel);
                               }));
  t.add_subcommand(pubsub, cmd("numpat", 2, intro, acl, kNoKeys,
                               {"pubsub", "Returns a count of unique pattern subscriptions.",
                                "2.8.0", "O(1)"},
                               [](CommandContext& ctx) {
                                 ctx.reply.integer(static_cast<int64_t>(
                                     ctx.engine.pubsub.active_count(PubSubKind::kPattern)));
                               }));
  t.add_subcommand(pubsub, cmd("shardchannels", -2, intro, acl, kNoKeys,
                               {"pubsub", "Returns the active shard channels.", "7.0.0",
                                "O(N) where N is the number of active shard channels, and "
                                "assuming constant time pattern matching (relatively short "
                                "shard channels)."},
                               [](CommandContext& ctx) {
                                 reply_channel_list(ctx, PubSubKind::kShard);
                               }));
  t.add_subcommand(pubsub, cmd("shardnumsub", -2, intro, acl, kNoKeys,
                               {"pubsub", "Returns the count of subscribers of shard channels.",
                                "7.0.0",
                                "O(N) for the SHARDNUMSUB subcommand, where N is the number of "
                                "requested shard channels"},
                               [](CommandContext& ctx) {
                                 reply_subscriber_counts(ctx, PubSubKind::kShard);
                               }));
  t.add_subcommand(pubsub, cmd("help", 2, kLoading | kStale, kAclSlow, kNoKeys,
                               {"pubsub",
                                "Returns helpful text about the different subcommands.",
                                "6.2.0", "O(1)"},
                               pubsub_help));
}

}  // namespace cachet::commands
