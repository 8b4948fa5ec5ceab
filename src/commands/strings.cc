// GET, SET and the commands that read or replace whole string values.
#include <fmt/format.h>

#include <climits>

#include "common/strings.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {

using store::Entry;
using store::Value;

bool parse_expire_arg(CommandContext& ctx, std::string_view unit, std::string_view value,
                      std::string_view command, int64_t* when_ms) {
  int64_t v;
  if (!parse_int64(value, &v)) {
    ctx.reply.error(errors::kNotInteger);
    return false;
  }
  bool seconds = iequals(unit, "ex") || iequals(unit, "exat");
  bool relative = iequals(unit, "ex") || iequals(unit, "px");
  if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
    ctx.reply.error(fmt::format("ERR invalid expire time in '{}' command", command));
    return false;
  }
  if (seconds) v *= 1000;
  if (relative) {
    if (v > LLONG_MAX - ctx.now_ms) {
      ctx.reply.error(fmt::format("ERR invalid expire time in '{}' command", command));
      return false;
    }
    v += ctx.now_ms;
  }
  *when_ms = v;
  return true;
}

namespace {

void reply_string(CommandContext& ctx, const Entry* e) {
  char scratch[Value::kIntBufferSize];
  ctx.reply.bulk(e->value.str(scratch));
}

void get_command(CommandContext& ctx) {
  Entry* e = ctx.db().lookup_read(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) return ctx.reply.null();
  if (!expect_string(ctx, e)) return;
  reply_string(ctx, e);
}

// Stores a value with an optional absolute expiry; an expiry already in the past deletes the
// key instead, as Valkey does, so no client ever reads an already-dead value.
void store_value(CommandContext& ctx, std::string_view key, std::string_view value,
                 bool keep_ttl, int64_t when_ms) {
  store::Database& db = ctx.db();
  int id = ctx.session.db;
  Propagator& propagation = ctx.engine.propagation;
  if (when_ms > 0 && when_ms <= ctx.now_ms && !ctx.engine.keyspace.expiry_paused()) {
    if (db.remove(key)) {
      ctx.engine.notify(kNotifyGeneric, "del", id, key);
      propagation.rewrite({ctx.engine.config.lazyfree_lazy_expire ? "UNLINK" : "DEL", key});
    } else {
      propagation.suppress();  // nothing was there, nothing to replay
    }
  } else {
    Entry* e = db.set(key, Value::string(value), keep_ttl);
    ctx.engine.notify(kNotifyString, "set", id, key);
    if (when_ms > 0) {
      db.set_expire(e, when_ms);
      ctx.engine.notify(kNotifyGeneric, "expire", id, key);
      // Replayed later, a relative time would mean a later death: record the moment itself.
      if (propagation.enabled()) {
        propagation.rewrite({"SET", key, value, "PXAT", std::to_string(when_ms)});
      }
    }
  }
  ctx.engine.key_modified(id, key);
}

void set_command(CommandContext& ctx) {
  enum : unsigned { kNX = 1, kXX = 2, kGet = 4, kKeepTtl = 8, kExpire = 16 };
  unsigned flags = 0;
  int64_t when_ms = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    if (iequals(opt, "nx") && !(flags & kXX)) {
      flags |= kNX;
    } else if (iequals(opt, "xx") && !(flags & kNX)) {
      flags |= kXX;
    } else if (iequals(opt, "get")) {
      flags |= kGet;
    } else if (iequals(opt, "keepttl") && !(flags & kExpire)) {
      flags |= kKeepTtl;
    } else if ((iequals(opt, "ex") || iequals(opt, "px") || iequals(opt, "exat") ||
                iequals(opt, "pxat")) &&
               !(flags & (kKeepTtl | kExpire)) && has_next) {
      flags |= kExpire;
      if (!parse_expire_arg(ctx, opt, ctx.arg(i + 1), "set", &when_ms)) return;
      ++i;
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  std::string_view key = ctx.arg(1);
  Entry* old = ctx.db().lookup(key, ctx.now_ms);
  if ((flags & kGet) && old != nullptr && !expect_string(ctx, old)) return;
  bool blocked = ((flags & kNX) && old != nullptr) || ((flags & kXX) && old == nullptr);
  if (flags & kGet) {
    // The old value must be replied before it is overwritten.
    if (old == nullptr) {
      ctx.reply.null();
    } else {
      reply_string(ctx, old);
    }
  }
  if (blocked) {
    if (!(flags & kGet)) ctx.reply.null();
    return;
  }
  store_value(ctx, key, ctx.arg(2), (flags & kKeepTtl) != 0, when_ms);
  if (!(flags & kGet)) ctx.reply.ok();
}

void setnx_command(CommandContext& ctx) {
  if (ctx.db().lookup(ctx.arg(1), ctx.now_ms) != nullptr) return ctx.reply.integer(0);
  store_value(ctx, ctx.arg(1), ctx.arg(2), false, 0);
  ctx.reply.integer(1);
}

void setex_generic(CommandContext& ctx, std::string_view unit, std::string_view name) {
  int64_t when_ms;
  if (!parse_expire_arg(ctx, unit, ctx.arg(2), name, &when_ms)) return;
  store_value(ctx, ctx.arg(1), ctx.arg(3), false, when_ms);
  ctx.reply.ok();
}

void getset_command(CommandContext& ctx) {
  Entry* old = ctx.db().lookup(ctx.arg(1), ctx.now_ms);
  if (old == nullptr) {
    ctx.reply.null();
  } else {
    if (!expect_string(ctx, old)) return;
    reply_string(ctx, old);
  }
  store_value(ctx, ctx.arg(1), ctx.arg(2), false, 0);
}

void getdel_command(CommandContext& ctx) {
  Entry* e = ctx.db().lookup_read(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) return ctx.reply.null();
  if (!expect_string(ctx, e)) return;
  reply_string(ctx, e);
  ctx.db().remove(ctx.arg(1));
  ctx.engine.propagation.rewrite({"DEL", ctx.arg(1)});
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, ctx.arg(1));
}

void getex_command(CommandContext& ctx) {
  int64_t when_ms = 0;
  bool persist = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if ((iequals(opt, "ex") || iequals(opt, "px") || iequals(opt, "exat") ||
         iequals(opt, "pxat")) &&
        when_ms == 0 && !persist && i + 1 < ctx.argc()) {
      if (!parse_expire_arg(ctx, opt, ctx.arg(i + 1), "getex", &when_ms)) return;
      ++i;
    } else if (iequals(opt, "persist") && when_ms == 0 && !persist) {
      persist = true;
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  store::Database& db = ctx.db();
  Entry* e = db.lookup_read(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) return ctx.reply.null();
  if (!expect_string(ctx, e)) return;
  reply_string(ctx, e);
  // Never recorded as sent: as the deletion, PEXPIREAT or PERSIST it amounted to.
  Propagator& propagation = ctx.engine.propagation;
  if (when_ms > 0 && when_ms <= ctx.now_ms && !ctx.engine.keyspace.expiry_paused()) {
    db.remove(ctx.arg(1));
    ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
    ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, ctx.arg(1));
    propagation.rewrite({ctx.engine.config.lazyfree_lazy_expire ? "UNLINK" : "DEL", ctx.arg(1)});
  } else if (when_ms > 0) {
    db.set_expire(e, when_ms);
    ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
    ctx.engine.notify(kNotifyGeneric, "expire", ctx.session.db, ctx.arg(1));
    if (propagation.enabled()) {
      propagation.rewrite({"PEXPIREAT", ctx.arg(1), std::to_string(when_ms)});
    }
  } else if (persist && db.persist(e)) {
    ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
    ctx.engine.notify(kNotifyGeneric, "persist", ctx.session.db, ctx.arg(1));
    propagation.rewrite({"PERSIST", ctx.arg(1)});
  }
}

void mget_command(CommandContext& ctx) {
  ctx.reply.array(static_cast<int64_t>(ctx.argc() - 1));
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = ctx.db().lookup_read(ctx.arg(i), ctx.now_ms);
    if (e == nullptr || e->value.type() != store::ValueType::kString) {
      ctx.reply.null();
    } else {
      reply_string(ctx, e);
    }
  }
}

bool mset_arity_ok(CommandContext& ctx) {
  if (ctx.argc() % 2 == 1) return true;
  ctx.reply.error(
      fmt::format("ERR wrong number of arguments for '{}' command", to_lower(ctx.arg(0))));
  return false;
}

void mset_command(CommandContext& ctx) {
  if (!mset_arity_ok(ctx)) return;
  for (size_t i = 1; i < ctx.argc(); i += 2) store_value(ctx, ctx.arg(i), ctx.arg(i + 1), false, 0);
  ctx.reply.ok();
}

void msetnx_command(CommandContext& ctx) {
  if (!mset_arity_ok(ctx)) return;
  for (size_t i = 1; i < ctx.argc(); i += 2)
    if (ctx.db().lookup(ctx.arg(i), ctx.now_ms) != nullptr) return ctx.reply.integer(0);
  for (size_t i = 1; i < ctx.argc(); i += 2) store_value(ctx, ctx.arg(i), ctx.arg(i + 1), false, 0);
  ctx.reply.integer(1);
}

}  // namespace

void register_string_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclString;
  const uint64_t w = kAclWrite | kAclString;
  t.add(cmd("get", 2, kReadonly | kFast, r | kAclFast, kOneKey,
            {"string", "Returns the string value of a key."}, get_command));
  t.add(cmd("set", -3, kWrite | kDenyOom, w | kAclSlow, kOneKey,
            {"string", "Sets the string value of a key, ignoring its type. The key is created if "
                       "it doesn't exist."},
            set_command));
  t.add(cmd("setnx", 3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Set the string value of a key only when the key doesn't exist."},
            setnx_command));
  t.add(cmd("setex", 4, kWrite | kDenyOom, w | kAclSlow, kOneKey,
            {"string", "Sets the string value and expiration time of a key.", "2.0.0"},
            [](CommandContext& ctx) { setex_generic(ctx, "ex", "setex"); }));
  t.add(cmd("psetex", 4, kWrite | kDenyOom, w | kAclSlow, kOneKey,
            {"string", "Sets both string value and expiration time in milliseconds of a key.",
             "2.6.0"},
            [](CommandContext& ctx) { setex_generic(ctx, "px", "psetex"); }));
  t.add(cmd("getset", 3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Returns the previous string value of a key after setting it to a new "
                       "value."},
            getset_command));
  t.add(cmd("getdel", 2, kWrite | kFast, w | kAclFast, kOneKey,
            {"string", "Returns the string value of a key after deleting the key.", "6.2.0"},
            getdel_command));
  t.add(cmd("getex", -2, kWrite | kFast, w | kAclFast, kOneKey,
            {"string", "Returns the string value of a key after setting its expiration time.",
             "6.2.0"},
            getex_command));
  t.add(cmd("mget", -2, kReadonly | kFast, r | kAclFast, {1, -1, 1},
            {"string", "Atomically returns the string values of one or more keys.", "1.0.0",
             "O(N) where N is the number of keys to retrieve."},
            mget_command));
  t.add(cmd("mset", -3, kWrite | kDenyOom, w | kAclSlow, {1, -1, 2},
            {"string", "Atomically creates or modifies the string values of one or more keys.",
             "1.0.1", "O(N) where N is the number of keys to set."},
            mset_command));
  t.add(cmd("msetnx", -3, kWrite | kDenyOom, w | kAclSlow, {1, -1, 2},
            {"string", "Atomically modifies the string values of one or more keys only when all "
                       "keys don't exist.",
             "1.0.1", "O(N) where N is the number of keys to set."},
            msetnx_command));
}

}  // namespace cachet::commands
