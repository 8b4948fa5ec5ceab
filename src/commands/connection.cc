// Connection commands: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET.
#include <fmt/format.h>

#include "common/strings.h"
#include "common/version.h"
#include "commands/families.h"
#include "commands/pubsub_registry.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

// Compares without an early exit, so timing does not reveal how much of a password matched.
bool constant_time_equals(std::string_view a, std::string_view b) {
  unsigned diff = a.size() != b.size();
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

// Only the default user exists until the ACL work; it has the requirepass password, or none.
bool check_credentials(CommandContext& ctx, std::string_view user, std::string_view pass) {
  if (!iequals(user, "default")) return false;
  const std::string& required = ctx.engine.config.requirepass;
  return required.empty() || constant_time_equals(pass, required);
}

void ping_command(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    return ctx.reply.error("ERR wrong number of arguments for 'ping' command");
  }
  // A subscribed RESP2 client can only tell replies from messages by their shape, so PING
  // answers there in the shape of a message.
  const Subscriber* s = ctx.session.subscriber;
  if (ctx.session.protocol == 2 && s != nullptr && s->in_pubsub_context()) {
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    return ctx.reply.bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
  }
  if (ctx.argc() == 2) return ctx.reply.bulk(ctx.arg(1));
  ctx.reply.simple("PONG");
}

void auth_command(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.error(errors::kSyntax);
  if (ctx.argc() == 2 && ctx.engine.config.requirepass.empty()) {
    return ctx.reply.error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
  }
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  std::string_view pass = ctx.argc() == 3 ? ctx.arg(2) : ctx.arg(1);
  if (!check_credentials(ctx, user, pass)) return ctx.reply.error(errors::kWrongPass);
  ctx.session.authenticated = true;
  ctx.session.user = std::string(user);
  ctx.reply.ok();
}

void hello_command(CommandContext& ctx) {
  int64_t version = ctx.session.protocol;
  size_t i = 1;
  if (ctx.argc() >= 2) {
    if (!parse_int64(ctx.arg(1), &version)) {
      return ctx.reply.error("ERR Protocol version is not an integer or out of range");
    }
    i = 2;
    if (version < 2 || version > 3) return ctx.reply.error("NOPROTO unsupported protocol version");
  }
  std::string_view set_name;
  bool has_name = false;
  for (; i < ctx.argc(); ++i) {
    bool more = ctx.argc() - i - 1;
    if (iequals(ctx.arg(i), "auth") && ctx.argc() - i - 1 >= 2) {
      if (!check_credentials(ctx, ctx.arg(i + 1), ctx.arg(i + 2))) {
        return ctx.reply.error(errors::kWrongPass);
      }
      ctx.session.authenticated = true;
      ctx.session.user = std::string(ctx.arg(i + 1));
      i += 2;
    } else if (iequals(ctx.arg(i), "setname") && more) {
      set_name = ctx.arg(++i);
      has_name = true;
    } else {
      return ctx.reply.error(fmt::format("ERR Syntax error in HELLO option '{}'", ctx.arg(i)));
    }
  }
  if (!ctx.session.authenticated) {
    return ctx.reply.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time");
  }
  if (has_name) {
    for (char c : set_name) {
      if (c < '!' || c > '~') {
        return ctx.reply.error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
      }
    }
    ctx.session.name = std::string(set_name);
  }
  ctx.session.protocol = static_cast<int>(version);
  ctx.reply.set_protocol(ctx.session.protocol);
  ctx.reply.map(7);
  ctx.reply.bulk("server");
  ctx.reply.bulk("valkey");
  ctx.reply.bulk("version");
  ctx.reply.bulk(CACHET_VALKEY_COMPAT_VERSION);
  ctx.reply.bulk("proto");
  ctx.reply.integer(version);
  ctx.reply.bulk("id");
  ctx.reply.integer(static_cast<int64_t>(ctx.session.id));
  ctx.reply.bulk("mode");
  ctx.reply.bulk("standalone");
  ctx.reply.bulk("role");
  ctx.reply.bulk("master");
  ctx.reply.bulk("modules");
  ctx.reply.array(0);
}

void select_command(CommandContext& ctx) {
  int64_t index;
  if (!parse_int64(ctx.arg(1), &index)) return ctx.reply.error(errors::kNotInteger);
  if (index < 0 || index >= static_cast<int64_t>(ctx.engine.keyspace.db_count())) {
    return ctx.reply.error(errors::kDbIndexRange);
  }
  ctx.session.db = static_cast<int>(index);
  ctx.reply.ok();
}

void quit_command(CommandContext& ctx) {
  ctx.session.close_after_reply = true;
  ctx.reply.ok();
}

void reset_command(CommandContext& ctx) {
  ctx.session.db = 0;
  ctx.session.protocol = 2;
  ctx.reply.set_protocol(2);
  ctx.session.name.clear();
  ctx.session.reply_mode = ReplyMode::kOn;
  ctx.session.no_evict = false;
  ctx.session.user = "default";
  ctx.session.authenticated = ctx.engine.config.requirepass.empty();
  ctx.session.in_multi = false;
  ctx.session.multi_aborted = false;
  ctx.session.queued.clear();
  ctx.engine.watches.unwatch_all(ctx.session);
  if (ctx.session.subscriber != nullptr) ctx.engine.pubsub.unsubscribe_all(*ctx.session.subscriber);
  ctx.reply.simple("RESET");
}

}  // namespace

void register_connection_commands(CommandTable& t) {
  const uint64_t c = kAclConnection;
  t.add(cmd("ping", -1, kFast | kSentinel | kAllowedWhileSubscribed, c | kAclFast, kNoKeys,
            {"connection", "Returns the server's liveliness response."}, ping_command));
  t.add(cmd("echo", 2, kFast, c | kAclFast, kNoKeys,
            {"connection", "Returns the given string."},
            [](CommandContext& ctx) { ctx.reply.bulk(ctx.arg(1)); }));
  t.add(cmd("auth", -2, kNoscript | kLoading | kStale | kFast | kNoAuth | kSentinel | kAllowBusy,
            c | kAclFast, kNoKeys,
            {"connection", "Authenticates the connection.", "1.0.0",
             "O(N) where N is the number of passwords defined for the user"},
            auth_command));
  t.add(cmd("hello", -1, kNoscript | kLoading | kStale | kFast | kNoAuth | kSentinel | kAllowBusy,
            c | kAclFast, kNoKeys,
            {"connection", "Handshakes with the server.", "6.0.0"}, hello_command));
  t.add(cmd("select", 2, kLoading | kStale | kFast, c | kAclFast, kNoKeys,
            {"connection", "Changes the selected database."}, select_command));
  t.add(cmd("quit", -1,
            kNoscript | kLoading | kStale | kFast | kNoAuth | kAllowBusy | kRunsInMulti |
                kAllowedWhileSubscribed,
            c | kAclFast, kNoKeys,
            {"connection", "Closes the connection."}, quit_command));
  t.add(cmd("reset", 1,
            kNoscript | kLoading | kStale | kFast | kNoAuth | kAllowBusy | kRunsInMulti |
                kAllowedWhileSubscribed,
            c | kAclFast, kNoKeys,
            {"connection", "Resets the connection.", "6.2.0"}, reset_command));
}

}  // namespace cachet::commands
