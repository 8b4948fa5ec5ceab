// CLIENT and its subcommands.
#include <fmt/format.h>

#include "commands/context.h"
#include "commands/errors.h"
#include "commands/help_reply.h"
#include "commands/spec_builder.h"
#include "common/clock.h"
#include "common/strings.h"
#include "server/client.h"
#include "server/server.h"
#include "server/server_families.h"

namespace cachet::server {

using commands::CommandContext;
using commands::cmd;
using commands::reply_help;
namespace errors = commands::errors;

std::string describe_client(const Server& server, const Client& c, int64_t now_ms) {
  const net::Connection& conn = c.connection();
  const commands::Session& s = c.session();
  // Valkey's letters, in Valkey's order.
  char flags[8];
  size_t nflags = 0;
  if (c.in_pubsub_context()) flags[nflags++] = 'P';
  if (s.in_multi) flags[nflags++] = 'x';
  if (c.blocked_by_pause() || c.blocked()) flags[nflags++] = 'b';
  if (s.watch_dirty) flags[nflags++] = 'd';
  if (s.close_after_reply) flags[nflags++] = 'c';
  if (s.no_evict) flags[nflags++] = 'e';
  if (s.no_touch) flags[nflags++] = 'T';
  if (nflags == 0) flags[nflags++] = 'N';
  char events[2];
  size_t nevents = 0;
  if (!c.closing()) events[nevents++] = 'r';
  if (conn.wants_write()) events[nevents++] = 'w';
  std::string line = fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} "
      "multi={} watch={} qbuf={} qbuf-free={} argv-mem=0 multi-mem=0 rbs={} rbp=0 obl={} oll=0 "
      "omem={} tot-mem={} events={} cmd={} user={} redir=-1 resp={} lib-name={} lib-ver={} "
      "tot-net-in={} tot-net-out={} tot-cmds={}",
      c.id(), conn.peer_address(), conn.local_address(), conn.fd(), s.name,
      (now_ms - c.created_ms()) / 1000, (now_ms - c.last_interaction_ms()) / 1000,
      std::string_view(flags, nflags), s.db,
      c.subscription_count(commands::PubSubKind::kChannel),
      c.subscription_count(commands::PubSubKind::kPattern),
      c.subscription_count(commands::PubSubKind::kShard),
      s.in_multi ? static_cast<int64_t>(s.queued.size()) : int64_t{-1}, s.watched.size(),
      c.query_buffer().size(), c.query_buffer().capacity() - c.query_buffer().size(),
      c.query_buffer().capacity(), 0, 0,
      c.query_buffer().capacity() + sizeof(Client), std::string_view(events, nevents),
      s.last_command == nullptr ? "NULL" : *s.last_command, s.user, s.protocol, s.lib_name,
      s.lib_version, c.net_input_bytes(), c.net_output_bytes(), c.commands_processed());
  if (const net::TlsPeerInfo* tls = conn.tls_info()) {
    line += fmt::format(" tls-version={} tls-cipher={} tls-peer-subject={}", tls->version,
                        tls->cipher, tls->peer_subject.empty() ? "-" : tls->peer_subject);
  }
  return line;
}

namespace {

// Valkey's client classes as CLIENT LIST/KILL TYPE name them; only these two exist here.
std::string_view client_type(const Client& c) {
  return c.in_pubsub_context() ? "pubsub" : "normal";
}

bool valid_client_name(std::string_view name) {
  for (char ch : name)
    if (ch < '!' || ch > '~') return false;
  return true;
}

void client_list(Server& server, CommandContext& ctx) {
  std::vector<uint64_t> ids;
  bool filter_ids = false;
  std::string_view type;
  if (ctx.argc() >= 4 && iequals(ctx.arg(2), "id")) {
    filter_ids = true;
    for (size_t i = 3; i < ctx.argc(); ++i) {
      int64_t id;
      if (!parse_int64(ctx.arg(i), &id) || id <= 0) {
        return ctx.reply.error("ERR Invalid client ID");
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (ctx.argc() == 4 && iequals(ctx.arg(2), "type")) {
    type = ctx.arg(3);
    if (!iequals(type, "normal") && !iequals(type, "master") && !iequals(type, "replica") &&
        !iequals(type, "slave") && !iequals(type, "pubsub")) {
      return ctx.reply.error(fmt::format("ERR Unknown client type '{}'", type));
    }
  } else if (ctx.argc() != 2) {
    return ctx.reply.error(errors::kSyntax);
  }
  std::string out;
  int64_t now = now_ms();
  for (const auto& [id, c] : server.clients()) {
    if (c->closing()) continue;
    if (filter_ids && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
    if (!type.empty() && !iequals(type, client_type(*c))) continue;
    out += describe_client(server, *c, now);
    out += '\n';
  }
  ctx.reply.verbatim(out);
}

// CLIENT KILL addr | CLIENT KILL <filter> <value> ...
void client_kill(Server& server, CommandContext& ctx) {
  Client* self = server.current_client();
  if (ctx.argc() == 3) {
    for (const auto& [id, c] : server.clients()) {
      if (!c->closing() && c->connection().peer_address() == ctx.arg(2)) {
        c->close("killed by CLIENT KILL");
        if (c.get() == self) c->session().close_after_reply = true;
        return ctx.reply.ok();
      }
    }
    return ctx.reply.error("ERR No such client");
  }
  if ((ctx.argc() - 2) % 2 != 0) return ctx.reply.error(errors::kSyntax);
  uint64_t want_id = 0;
  std::string_view addr, laddr, user, type;
  bool skipme = true;
  int64_t maxage = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i), v = ctx.arg(i + 1);
    if (iequals(opt, "id")) {
      int64_t id;
      if (!parse_int64(v, &id) || id <= 0) return ctx.reply.error("ERR client-id should be greater than 0");
      want_id = static_cast<uint64_t>(id);
    } else if (iequals(opt, "addr")) {
      addr = v;
    } else if (iequals(opt, "laddr")) {
      laddr = v;
    } else if (iequals(opt, "user")) {
      if (!iequals(v, "default")) {  // the only user until ACLs exist
        return ctx.reply.error(fmt::format("ERR No such user '{}'", v));
      }
      user = v;
    } else if (iequals(opt, "type")) {
      if (!iequals(v, "normal") && !iequals(v, "master") && !iequals(v, "replica") &&
          !iequals(v, "slave") && !iequals(v, "pubsub")) {
        return ctx.reply.error(fmt::format("ERR Unknown client type '{}'", v));
      }
      type = v;
    } else if (iequals(opt, "skipme")) {
      if (iequals(v, "yes")) {
        skipme = true;
      } else if (iequals(v, "no")) {
        skipme = false;
      } else {
        return ctx.reply.error(errors::kSyntax);
      }
    } else if (iequals(opt, "maxage")) {
      if (!parse_int64(v, &maxage)) {
        return ctx.reply.error("ERR maxage is not an integer or out of range");
      }
      if (maxage <= 0) return ctx.reply.error("ERR maxage should be greater than 0");
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  int64_t killed = 0;
  int64_t now = now_ms();
  for (const auto& [id, c] : server.clients()) {
    if (c->closing()) continue;
    if (want_id != 0 && id != want_id) continue;
    if (!addr.empty() && c->connection().peer_address() != addr) continue;
    if (!laddr.empty() && c->connection().local_address() != laddr) continue;
    if (!user.empty() && c->session().user != user) continue;
    if (!type.empty() && !iequals(type, client_type(*c))) continue;
    if (maxage > 0 && (now - c->created_ms()) / 1000 < maxage) continue;
    if (skipme && c.get() == self) continue;
    if (c.get() == self) {
      c->session().close_after_reply = true;  // answer first, then go
    } else {
      c->close("killed by CLIENT KILL");
    }
    ++killed;
  }
  ctx.reply.integer(killed);
}

void client_pause(Server& server, CommandContext& ctx) {
  int64_t ms;
  if (!parse_int64(ctx.arg(2), &ms)) {
    return ctx.reply.error("ERR timeout is not an integer or out of range");
  }
  if (ms < 0) return ctx.reply.error("ERR timeout is negative");
  PauseMode mode = PauseMode::kAll;
  if (ctx.argc() == 4) {
    if (iequals(ctx.arg(3), "write")) {
      mode = PauseMode::kWrite;
    } else if (!iequals(ctx.arg(3), "all")) {
      return ctx.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  } else if (ctx.argc() > 4) {
    return ctx.reply.error(errors::kSyntax);
  }
  server.pause(mode, now_ms() + ms);
  ctx.reply.ok();
}

void on_off(CommandContext& ctx, bool* target) {
  if (iequals(ctx.arg(2), "on")) {
    *target = true;
  } else if (iequals(ctx.arg(2), "off")) {
    *target = false;
  } else {
    return ctx.reply.error(errors::kSyntax);
  }
  ctx.reply.ok();
}

void client_help(CommandContext& ctx) {
  reply_help(ctx, {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME", "    Return the name of the current connection.",
      "ID", "    Return the ID of the current connection.",
      "INFO", "    Return information about the current client connection.",
      "KILL <ip:port>", "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are: ID, ADDR, LADDR, USER, TYPE, SKIPME, MAXAGE.",
      "LIST [options ...]", "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "    * ID <client-id> [<client-id> ...]",
      "PAUSE <timeout> [WRITE|ALL]", "    Suspend clients for <timeout> milliseconds.",
      "UNPAUSE", "    Stop the current client pause, resuming traffic.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
      "SETNAME <name>", "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
      "NO-EVICT (ON|OFF)", "    Protect the current client connection from eviction.",
      "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
      "HELP", "    Print this help."});
}

}  // namespace

void register_client_commands(Server& server, commands::CommandTable& t) {
  using namespace commands;
  const uint64_t acl = kAclConnection | kAclSlow;
  CommandSpec& client = t.add(cmd("client", -2, kNoscript | kLoading | kStale | kSentinel, acl,
                                  kNoKeys,
                                  {"connection", "A container for client connection commands.",
                                   "2.4.0", "Depends on subcommand."},
                                  nullptr));
  auto sub = [&](const char* name, int arity, uint32_t flags, uint64_t acl_bits,
                 const char* summary, Handler h) {
    t.add_subcommand(client, cmd(name, arity, kNoscript | kLoading | kStale | flags, acl_bits,
                                 kNoKeys, {"connection", summary, "2.4.0"}, std::move(h)));
  };
  Server* srv = &server;
  sub("id", 2, 0, acl, "Returns the unique client ID of the connection.",
      [](CommandContext& ctx) { ctx.reply.integer(static_cast<int64_t>(ctx.session.id)); });
  sub("getname", 2, 0, acl, "Returns the name of the connection.", [](CommandContext& ctx) {
    if (ctx.session.name.empty()) return ctx.reply.null();
    ctx.reply.bulk(ctx.session.name);
  });
  sub("setname", 3, 0, acl, "Sets the connection name.", [](CommandContext& ctx) {
    if (!valid_client_name(ctx.arg(2))) {
      return ctx.reply.error(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
    ctx.session.name = std::string(ctx.arg(2));
    ctx.reply.ok();
  });
  sub("setinfo", 4, 0, acl, "Sets information specific to the client or connection.",
      [](CommandContext& ctx) {
        std::string_view attr = ctx.arg(2), value = ctx.arg(3);
        if (!valid_client_name(value) && !value.empty()) {
          return ctx.reply.error(fmt::format(
              "ERR {} cannot contain spaces, newlines or special characters.", to_lower(attr)));
        }
        if (iequals(attr, "lib-name")) {
          ctx.session.lib_name = std::string(value);
        } else if (iequals(attr, "lib-ver")) {
          ctx.session.lib_version = std::string(value);
        } else {
          return ctx.reply.error(fmt::format("ERR Unrecognized option '{}'", attr));
        }
        ctx.reply.ok();
      });
  sub("list", -2, 0, acl | kAclAdmin | kAclDangerous,
      "Lists open connections.", [srv](CommandContext& ctx) { client_list(*srv, ctx); });
  sub("info", 2, 0, acl, "Returns information about the connection.",
      [srv](CommandContext& ctx) {
        Client* self = srv->current_client();
        ctx.reply.verbatim(describe_client(*srv, *self, now_ms()) + "\n");
      });
  sub("kill", -3, kAdmin, acl | kAclAdmin | kAclDangerous, "Terminates open connections.",
      [srv](CommandContext& ctx) { client_kill(*srv, ctx); });
  sub("pause", -3, kAdmin, acl | kAclAdmin | kAclDangerous,
      "Suspends commands processing.", [srv](CommandContext& ctx) { client_pause(*srv, ctx); });
  sub("unpause", 2, kAdmin, acl | kAclAdmin | kAclDangerous,
      "Resumes processing commands from paused clients.", [srv](CommandContext& ctx) {
        srv->unpause();
        ctx.reply.ok();
      });
  sub("reply", 3, 0, acl, "Instructs the server whether to reply to commands.",
      [](CommandContext& ctx) {
        std::string_view mode = ctx.arg(2);
        if (iequals(mode, "on")) {
          ctx.session.reply_mode = ReplyMode::kOn;
          ctx.session.reply_on_requested = true;
          ctx.reply.ok();
        } else if (iequals(mode, "off")) {
          ctx.session.reply_mode = ReplyMode::kOff;
        } else if (iequals(mode, "skip")) {
          if (ctx.session.reply_mode == ReplyMode::kOn) ctx.session.reply_mode = ReplyMode::kSkipNext;
        } else {
          ctx.reply.error(errors::kSyntax);
        }
      });
  sub("no-evict", 3, kAdmin, acl | kAclAdmin | kAclDangerous,
      "Sets the client eviction mode of the connection.",
      [](CommandContext& ctx) { on_off(ctx, &ctx.session.no_evict); });
  sub("no-touch", 3, 0, kAclConnection,
      "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
      [](CommandContext& ctx) { on_off(ctx, &ctx.session.no_touch); });
  sub("unblock", -3, kAdmin, acl | kAclAdmin | kAclDangerous,
      "Unblocks a client blocked by a blocking command from a different connection.",
      [srv](CommandContext& ctx) {
        int64_t id;
        if (!parse_int64(ctx.arg(2), &id)) return ctx.reply.error(errors::kNotInteger);
        bool as_error = false;
        if (ctx.argc() == 4) {
          if (iequals(ctx.arg(3), "error")) {
            as_error = true;
          } else if (!iequals(ctx.arg(3), "timeout")) {
            return ctx.reply.error(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
          }
        } else if (ctx.argc() > 4) {
          return ctx.reply.error(errors::kSyntax);
        }
        Client* target = id > 0 ? srv->find_client(static_cast<uint64_t>(id)) : nullptr;
        if (target == nullptr || !target->blocked()) return ctx.reply.integer(0);
        static_cast<commands::CommandInvoker*>(target)->end_blocking(as_error);
        ctx.reply.integer(1);
      });
  sub("help", 2, 0, acl, "Returns helpful text about the different subcommands.", client_help);
}

}  // namespace cachet::server
