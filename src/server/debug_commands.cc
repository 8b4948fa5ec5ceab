// DEBUG (the subcommands tests and operators rely on) and SHUTDOWN.
#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <cmath>

#include "commands/context.h"
#include "config/server_config.h"
#include "commands/errors.h"
#include "commands/help_reply.h"
#include "commands/spec_builder.h"
#include "common/log.h"
#include "common/strings.h"
#include "persist/rdb_writer.h"
#include "server/client.h"
#include "server/dataset_digest.h"
#include "server/server.h"
#include "server/server_families.h"

namespace cachet::server {

using commands::CommandContext;
using commands::cmd;
using commands::reply_help;
namespace errors = commands::errors;

namespace {

// enable-debug-command: "no" refuses DEBUG, "local" allows it from loopback and unix sockets.
bool debug_allowed(Server& server, CommandContext& ctx) {
  const std::string& mode = server.config().enable_debug_command;
  if (iequals(mode, "yes")) return true;
  Client* self = server.current_client();
  if (iequals(mode, "local") && self != nullptr && self->connection().peer_is_loopback()) {
    return true;
  }
  ctx.reply.error(
      "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
      "you can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.");
  return false;
}

void debug_sleep(CommandContext& ctx) {
  double seconds;
  if (!parse_double(ctx.arg(2), &seconds)) return ctx.reply.error(errors::kNotFloat);
  if (seconds > 0) {
    // Blocking the engine thread is the point: tests use it to simulate a busy server.
    usleep(static_cast<useconds_t>(std::min(seconds, 3600.0) * 1e6));
  }
  ctx.reply.ok();
}

void debug_object(CommandContext& ctx) {
  store::Entry* e = ctx.db().lookup(ctx.arg(2), ctx.now_ms, /*touch=*/false);
  if (e == nullptr) return ctx.reply.error(errors::kNoSuchKey);
  // serializedlength: the value's size in the RDB format, as Valkey reports it.
  persist::RdbSink serialized;
  persist::write_value(serialized, e->value, ctx.engine.config.rdbcompression);
  ctx.reply.simple(fmt::format(
      "Value at:{} refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
      static_cast<const void*>(e), store::encoding_name(e->value.encoding()),
      serialized.bytes(), e->lru, store::idle_seconds(e->lru, ctx.now_ms)));
}

// DEBUG PROTOCOL <type>: one reply of each RESP3 type, for client and protocol tests.
void debug_protocol(CommandContext& ctx) {
  std::string type = to_lower(ctx.arg(2));
  resp::ReplyWriter& w = ctx.reply;
  if (type == "string") {
    w.bulk("Hello World");
  } else if (type == "integer") {
    w.integer(12345);
  } else if (type == "double") {
    w.double_value(3.141);
  } else if (type == "bignum") {
    w.big_number("1234567999999999999999999999999999999");
  } else if (type == "null") {
    w.null();
  } else if (type == "array" || type == "set") {
    type == "array" ? w.array(3) : w.set(3);
    for (int i = 0; i < 3; ++i) w.integer(i);
  } else if (type == "map") {
    w.map(3);
    for (int i = 0; i < 3; ++i) {
      w.integer(i);
      w.boolean(i == 1);
    }
  } else if (type == "attrib") {
    if (w.protocol() >= 3) {
      w.attribute(1);
      w.bulk("key-popularity");
      w.array(2);
      w.bulk("key:123");
      w.integer(90);
    }
    w.bulk("Some real reply following the attribute");  // attributes precede a real reply
  } else if (type == "push") {
    if (w.protocol() < 3) return w.error("ERR RESP2 is not supported by this command");
    w.push(2);
    w.bulk("server-cpu-usage");
    w.integer(42);
    w.bulk("Some real reply following the push reply");
  } else if (type == "true" || type == "false") {
    w.boolean(type == "true");
  } else if (type == "verbatim") {
    w.verbatim("This is a verbatim\nstring");
  } else {
    w.error("ERR Wrong protocol type name. Please use one of the following: "
            "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

void debug_help(CommandContext& ctx) {
  reply_help(ctx, {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "AOF-FLUSH-SLEEP <microsec>",
      "    Server will sleep before flushing the AOF, this is used for testing.",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "OBJECT <key>",
      "    Show low level info about the `key` and associated value.",
      "PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Options: MERGE, NOFLUSH,",
      "    NOSAVE.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the server behavior). Setting it to 1 reenables back the",
      "    default.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
      "HELP",
      "    Print this help."});
}

// DEBUG POPULATE count [prefix] [size]: keys prefix:0.. with values value:N (padded or cut to
// size), skipping keys that exist.
void debug_populate(CommandContext& ctx) {
  int64_t count, size = 0;
  if (ctx.argc() > 5) return ctx.reply.error(errors::kSyntax);
  if (!parse_int64(ctx.arg(2), &count) || count < 0) {
    return ctx.reply.error("ERR value is out of range, must be positive");
  }
  if (ctx.argc() == 5 && (!parse_int64(ctx.arg(4), &size) || size < 0)) {
    return ctx.reply.error("ERR value is out of range, must be positive");
  }
  std::string prefix = ctx.argc() >= 4 ? std::string(ctx.arg(3)) : "key";
  for (int64_t i = 0; i < count; ++i) {
    std::string key = prefix;
    key.append(":").append(std::to_string(i));
    if (ctx.db().lookup(key, ctx.now_ms) != nullptr) continue;
    std::string value = "value:";
    value.append(std::to_string(i));
    if (size > 0) value.resize(static_cast<size_t>(size), '\0');
    ctx.db().add(key, store::Value::string(value));
    ctx.engine.key_modified(ctx.session.db, key);
  }
  ctx.reply.ok();
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the dataset, load the dump back.
void debug_reload(Server& server, CommandContext& ctx) {
  bool merge = false, flush = true, save = true;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (iequals(opt, "merge")) {
      merge = true;
    } else if (iequals(opt, "noflush")) {
      flush = false;
    } else if (iequals(opt, "nosave")) {
      save = false;
    } else {
      return ctx.reply.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  std::string error;
  if (save && !server.persistence().save(ctx.now_ms, &error)) return ctx.reply.error("ERR");
  if (flush) {
    for (size_t db = 0; db < ctx.engine.keyspace.db_count(); ++db) {
      ctx.engine.database_emptied(static_cast<int>(db));
    }
    ctx.engine.keyspace.flush_all();
  }
  if (!server.persistence().load_all(ctx.now_ms, &error, merge)) {
    CACHET_LOG_WARNING("DEBUG RELOAD failed: {}", error);
    return ctx.reply.error("ERR Error trying to load the RDB dump, check server logs.");
  }
  CACHET_LOG_NOTICE("DB reloaded by DEBUG RELOAD");
  ctx.reply.ok();
}

// Empties the dataset and replays the AOF into it, as a restart would (the Valkey tests'
// way of checking what the file holds).
void debug_loadaof(Server& server, CommandContext& ctx) {
  for (size_t db = 0; db < ctx.engine.keyspace.db_count(); ++db) {
    ctx.engine.database_emptied(static_cast<int>(db));
  }
  ctx.engine.keyspace.flush_all();
  std::string error;
  if (!server.persistence().reload_aof(&error)) {
    CACHET_LOG_WARNING("DEBUG LOADAOF failed: {}", error);
    return ctx.reply.error("ERR Error trying to load the AOF files, check server logs.");
  }
  CACHET_LOG_NOTICE("Append Only File loaded by DEBUG LOADAOF");
  ctx.reply.ok();
}

void shutdown_command(Server& server, CommandContext& ctx) {
  bool abort = false, save = false, nosave = false, force = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (iequals(opt, "abort")) {
      abort = true;
    } else if (iequals(opt, "nosave")) {
      nosave = true;
    } else if (iequals(opt, "save")) {
      save = true;
    } else if (iequals(opt, "force")) {
      force = true;
    } else if (!iequals(opt, "now")) {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  if ((abort && ctx.argc() != 2) || (save && nosave)) return ctx.reply.error(errors::kSyntax);
  if (abort) return ctx.reply.error("ERR No shutdown in progress.");
  CACHET_LOG_WARNING("User requested shutdown...");
  // SAVE forces a snapshot, NOSAVE skips it; otherwise save points decide, as in Valkey.
  // Nothing is saved while a dump is still loading: it would overwrite the good one.
  bool want_save = !server.loading() && !nosave && (save || !server.config().save.empty());
  if (!server.prepare_shutdown(want_save, force)) {
    return ctx.reply.error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  server.request_shutdown();
  ctx.session.close_after_reply = true;  // no reply: the connection just closes
}

}  // namespace

void register_debug_commands(Server& server, commands::CommandTable& t) {
  using namespace commands;
  Server* srv = &server;
  const uint64_t acl = kAclAdmin | kAclSlow | kAclDangerous;
  CommandSpec& debug = t.add(cmd("debug", -2, kAdmin | kNoscript | kLoading | kStale, acl,
                                 kNoKeys,
                                 {"server", "A container for debugging commands.", "1.0.0",
                                  "Depends on subcommand."},
                                 nullptr));
  auto sub = [&](const char* name, int arity, commands::Handler h) {
    t.add_subcommand(debug, cmd(name, arity, kAdmin | kNoscript | kLoading | kStale, acl,
                                kNoKeys, {"server", "Debugging command.", "1.0.0"},
                                [srv, h](CommandContext& ctx) {
                                  if (debug_allowed(*srv, ctx)) h(ctx);
                                }));
  };
  sub("sleep", 3, debug_sleep);
  sub("object", 3, debug_object);
  sub("protocol", 3, debug_protocol);
  // Valkey stores list elements above this size in their own ("plain") quicklist nodes.
  // Cachet's large list form already keeps every element separately, so the threshold has
  // nothing to change; the value is validated and accepted so tools and tests can set it.
  sub("quicklist-packed-threshold", 3, [](CommandContext& ctx) {
    int64_t bytes;
    if (!config::parse_memory(std::string(ctx.arg(2)), &bytes)) {
      return ctx.reply.error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    }
    ctx.reply.ok();
  });
  sub("set-active-expire", 3, [](CommandContext& ctx) {
    int64_t v;
    if (!parse_int64(ctx.arg(2), &v)) return ctx.reply.error(errors::kNotInteger);
    ctx.engine.active_expire_enabled = v != 0;
    ctx.reply.ok();
  });
  sub("reload", -2, [srv](CommandContext& ctx) { debug_reload(*srv, ctx); });
  sub("loadaof", 2, [srv](CommandContext& ctx) { debug_loadaof(*srv, ctx); });
  sub("aof-flush-sleep", 3, [srv](CommandContext& ctx) {
    int64_t us;
    if (!parse_int64(ctx.arg(2), &us) || us < 0) {
      return ctx.reply.error(commands::errors::kNotInteger);
    }
    srv->persistence().set_aof_flush_sleep(us);
    ctx.reply.ok();
  });
  sub("digest", 2, [](CommandContext& ctx) {
    ctx.reply.simple(digest_hex(dataset_digest(ctx.engine.keyspace)));
  });
  sub("digest-value", -2, [](CommandContext& ctx) {
    ctx.reply.array(static_cast<int64_t>(ctx.argc() - 2));
    for (size_t i = 2; i < ctx.argc(); ++i) {
      // Logically expired keys still have a value to digest, as in Valkey.
      store::Entry* e = ctx.db().dict().find(ctx.arg(i));
      ctx.reply.simple(digest_hex(e ? value_digest(e->value) : Digest{}));
    }
  });
  sub("populate", -3, debug_populate);
  sub("help", 2, debug_help);

  t.add(cmd("shutdown", -1, kAdmin | kNoscript | kLoading | kStale | kNoMulti | kSentinel |
                                kAllowBusy,
            acl, kNoKeys,
            {"server", "Synchronously saves the database(s) to disk and shuts down the server.",
             "1.0.0", "O(N) when saving, where N is the total number of keys in all databases"},
            [srv](CommandContext& ctx) { shutdown_command(*srv, ctx); }));
}

void register_server_families(Server& server, commands::CommandTable& table) {
  register_client_commands(server, table);
  register_config_commands(server, table);
  register_info_commands(server, table);
  register_debug_commands(server, table);
  register_persistence_commands(server, table);
}

}  // namespace cachet::server
