// Key expiry commands: EXPIRE family, TTL family, PERSIST.
#include <fmt/format.h>

#include <climits>

#include "common/strings.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

using store::Entry;

enum class Base { kRelativeSeconds, kRelativeMs, kAbsoluteSeconds, kAbsoluteMs };

void expire_generic(CommandContext& ctx, Base base, std::string_view name) {
  int64_t v;
  if (!parse_int64(ctx.arg(2), &v)) return ctx.reply.error(errors::kNotInteger);
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (iequals(opt, "nx")) {
      nx = true;
    } else if (iequals(opt, "xx")) {
      xx = true;
    } else if (iequals(opt, "gt")) {
      gt = true;
    } else if (iequals(opt, "lt")) {
      lt = true;
    } else {
      return ctx.reply.error(fmt::format("ERR Unsupported option {}", opt));
    }
  }
  if (nx && (xx || gt || lt)) {
    return ctx.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) return ctx.reply.error("ERR GT and LT options at the same time are not compatible");

  const std::string invalid = fmt::format("ERR invalid expire time in '{}' command", name);
  bool seconds = base == Base::kRelativeSeconds || base == Base::kAbsoluteSeconds;
  if (seconds && (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000)) return ctx.reply.error(invalid);
  if (seconds) v *= 1000;
  if (base == Base::kRelativeSeconds || base == Base::kRelativeMs) {
    if ((v > 0 && ctx.now_ms > LLONG_MAX - v) || (v < 0 && ctx.now_ms < LLONG_MIN - v))
      return ctx.reply.error(invalid);
    v += ctx.now_ms;
  }
  store::Database& db = ctx.db();
  Entry* e = db.lookup(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) return ctx.reply.integer(0);
  int64_t current = db.expire_at(e);  // -1: no TTL, which counts as infinite for GT/LT
  if ((nx && current != -1) || (xx && current == -1) ||
      (gt && (current == -1 || v <= current)) || (lt && current != -1 && v >= current)) {
    return ctx.reply.integer(0);
  }
  // A time already past deletes the key: that is a "del", not an "expired", event.
  // Either way it is recorded as what it did at this moment: the deletion, or the absolute
  // time, so a replay does not move the key's death.
  // While an AOF replays (expiry paused) a past time is kept as the key's expiry, as Valkey
  // does: the file's later commands may still touch the key, and its DEL comes after them.
  Propagator& propagation = ctx.engine.propagation;
  if (v <= ctx.now_ms && !ctx.engine.keyspace.expiry_paused()) {
    db.remove(ctx.arg(1));
    ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, ctx.arg(1));
    propagation.rewrite({ctx.engine.config.lazyfree_lazy_expire ? "UNLINK" : "DEL", ctx.arg(1)});
  } else {
    db.set_expire(e, v);
    ctx.engine.notify(kNotifyGeneric, "expire", ctx.session.db, ctx.arg(1));
    if (propagation.enabled()) propagation.rewrite({"PEXPIREAT", ctx.arg(1), std::to_string(v)});
  }
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.reply.integer(1);
}

enum class TtlForm { kSeconds, kMs, kAbsSeconds, kAbsMs };

void ttl_generic(CommandContext& ctx, TtlForm form) {
  store::Database& db = ctx.db();
  Entry* e = db.lookup(ctx.arg(1), ctx.now_ms, /*touch=*/false);
  if (e == nullptr) return ctx.reply.integer(-2);
  int64_t when = db.expire_at(e);
  if (when == -1) return ctx.reply.integer(-1);
  switch (form) {
    case TtlForm::kSeconds: {
      int64_t ttl = std::max<int64_t>(0, when - ctx.now_ms);
      return ctx.reply.integer((ttl + 500) / 1000);
    }
    case TtlForm::kMs: return ctx.reply.integer(std::max<int64_t>(0, when - ctx.now_ms));
    case TtlForm::kAbsSeconds: return ctx.reply.integer(when / 1000);
    case TtlForm::kAbsMs: return ctx.reply.integer(when);
  }
}

void persist_command(CommandContext& ctx) {
  store::Database& db = ctx.db();
  Entry* e = db.lookup(ctx.arg(1), ctx.now_ms);
  if (e == nullptr || !db.persist(e)) return ctx.reply.integer(0);
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.engine.notify(kNotifyGeneric, "persist", ctx.session.db, ctx.arg(1));
  ctx.reply.integer(1);
}

}  // namespace

void register_expire_commands(CommandTable& t) {
  const uint64_t w = kAclKeyspace | kAclWrite | kAclFast;
  const uint64_t r = kAclKeyspace | kAclRead | kAclFast;
  struct ExpireForm {
    const char* name;
    Base base;
    const char* summary;
    const char* since;
  };
  static const ExpireForm kForms[] = {
      {"expire", Base::kRelativeSeconds, "Sets the expiration time of a key in seconds.", "1.0.0"},
      {"pexpire", Base::kRelativeMs, "Sets the expiration time of a key in milliseconds.",
       "2.6.0"},
      {"expireat", Base::kAbsoluteSeconds,
       "Sets the expiration time of a key to a Unix timestamp.", "1.2.0"},
      {"pexpireat", Base::kAbsoluteMs,
       "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0"}};
  for (const ExpireForm& f : kForms) {
    Base base = f.base;
    std::string name = f.name;
    t.add(cmd(f.name, -3, kWrite | kFast, w, kOneKey, {"generic", f.summary, f.since},
              [base, name](CommandContext& ctx) { expire_generic(ctx, base, name); }));
  }
  struct TtlSpec {
    const char* name;
    TtlForm form;
    const char* summary;
    const char* since;
  };
  static const TtlSpec kTtls[] = {
      {"ttl", TtlForm::kSeconds, "Returns the expiration time in seconds of a key.", "1.0.0"},
      {"pttl", TtlForm::kMs, "Returns the expiration time in milliseconds of a key.", "2.6.0"},
      {"expiretime", TtlForm::kAbsSeconds, "Returns the expiration time of a key as a Unix "
                                           "timestamp.", "7.0.0"},
      {"pexpiretime", TtlForm::kAbsMs, "Returns the expiration time of a key as a Unix "
                                       "milliseconds timestamp.", "7.0.0"}};
  for (const TtlSpec& s : kTtls) {
    TtlForm form = s.form;
    t.add(cmd(s.name, 2, kReadonly | kFast, r, kOneKey, {"generic", s.summary, s.since},
              [form](CommandContext& ctx) { ttl_generic(ctx, form); }));
  }
  t.add(cmd("persist", 2, kWrite | kFast, w, kOneKey,
            {"generic", "Removes the expiration time of a key.", "2.2.0"}, persist_command));
}

}  // namespace cachet::commands
