// Commands that move or copy a value to another key or database: RENAME, RENAMENX, COPY, MOVE.
#include "common/strings.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

using store::Entry;
using store::Value;

// Puts `v` (with its TTL, -1 for none) at `to` as a new key: whatever `to` held is deleted
// first, so the key counts as created (the "new" event) as it does in Valkey.
void place(store::Database& dst, std::string_view to, Value v, int64_t when) {
  dst.remove(to);
  Entry* placed = dst.add(to, std::move(v));
  if (when != -1) dst.set_expire(placed, when);
}

// Moves the value (and TTL) of `from` in `src` to `to` in `dst`, replacing what `to` held.
void transfer(store::Database& src, std::string_view from, store::Database& dst,
              std::string_view to, Entry* e) {
  int64_t when = src.expire_at(e);
  Value v = std::move(e->value);
  src.remove(from);
  place(dst, to, std::move(v), when);
}

void rename_generic(CommandContext& ctx, bool nx) {
  store::Database& db = ctx.db();
  std::string_view from = ctx.arg(1), to = ctx.arg(2);
  Entry* e = db.lookup(from, ctx.now_ms, false);
  if (e == nullptr) return ctx.reply.error(errors::kNoSuchKey);
  if (from == to) return nx ? ctx.reply.integer(0) : ctx.reply.ok();
  if (nx && db.lookup(to, ctx.now_ms, false) != nullptr) return ctx.reply.integer(0);
  // `to` may have expired just now; make sure it is gone before the set.
  db.lookup(to, ctx.now_ms, false);
  transfer(db, from, db, to, e);
  ctx.engine.key_modified(ctx.session.db, from);
  ctx.engine.key_modified(ctx.session.db, to);
  ctx.engine.notify(kNotifyGeneric, "rename_from", ctx.session.db, from);
  ctx.engine.notify(kNotifyGeneric, "rename_to", ctx.session.db, to);
  nx ? ctx.reply.integer(1) : ctx.reply.ok();
}

bool parse_db_index(CommandContext& ctx, std::string_view text, int* out) {
  int64_t v;
  if (!parse_int64(text, &v)) {
    ctx.reply.error(errors::kNotInteger);
    return false;
  }
  if (v < 0 || v >= static_cast<int64_t>(ctx.engine.keyspace.db_count())) {
    ctx.reply.error(errors::kDbIndexRange);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

void copy_command(CommandContext& ctx) {
  int target_db = ctx.session.db;
  bool replace = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (iequals(ctx.arg(i), "replace")) {
      replace = true;
    } else if (iequals(ctx.arg(i), "db") && i + 1 < ctx.argc()) {
      if (!parse_db_index(ctx, ctx.arg(++i), &target_db)) return;
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  std::string_view from = ctx.arg(1), to = ctx.arg(2);
  if (target_db == ctx.session.db && from == to) return ctx.reply.error(errors::kSameObject);
  store::Database& src = ctx.db();
  store::Database& dst = ctx.engine.keyspace.db(static_cast<size_t>(target_db));
  Entry* e = src.lookup(from, ctx.now_ms, false);
  if (e == nullptr) return ctx.reply.integer(0);
  if (dst.lookup(to, ctx.now_ms, false) != nullptr && !replace) return ctx.reply.integer(0);
  place(dst, to, e->value.clone(), src.expire_at(e));
  ctx.engine.key_modified(target_db, to);
  ctx.engine.notify(kNotifyGeneric, "copy_to", target_db, to);
  ctx.reply.integer(1);
}

void move_command(CommandContext& ctx) {
  int target_db;
  int64_t v;
  if (!parse_int64(ctx.arg(2), &v)) return ctx.reply.error(errors::kNotInteger);
  if (v < 0 || v >= static_cast<int64_t>(ctx.engine.keyspace.db_count())) {
    return ctx.reply.error(errors::kDbIndexRange);
  }
  target_db = static_cast<int>(v);
  if (target_db == ctx.session.db) return ctx.reply.error(errors::kSameObject);
  store::Database& src = ctx.db();
  store::Database& dst = ctx.engine.keyspace.db(static_cast<size_t>(target_db));
  std::string_view key = ctx.arg(1);
  Entry* e = src.lookup(key, ctx.now_ms, false);
  if (e == nullptr) return ctx.reply.integer(0);
  if (dst.lookup(key, ctx.now_ms, false) != nullptr) return ctx.reply.integer(0);
  transfer(src, key, dst, key, e);
  ctx.engine.key_modified(ctx.session.db, key);
  ctx.engine.key_modified(target_db, key);
  ctx.engine.notify(kNotifyGeneric, "move_from", ctx.session.db, key);
  ctx.engine.notify(kNotifyGeneric, "move_to", target_db, key);
  ctx.reply.integer(1);
}

}  // namespace

void register_key_move_commands(CommandTable& t) {
  const uint64_t kw = kAclKeyspace | kAclWrite;
  t.add(cmd("rename", 3, kWrite, kw | kAclSlow, {1, 2, 1},
            {"generic", "Renames a key and overwrites the destination."},
            [](CommandContext& ctx) { rename_generic(ctx, false); }));
  t.add(cmd("renamenx", 3, kWrite | kFast, kw | kAclFast, {1, 2, 1},
            {"generic", "Renames a key only when the target key name doesn't exist."},
            [](CommandContext& ctx) { rename_generic(ctx, true); }));
  t.add(cmd("copy", -3, kWrite | kDenyOom, kw | kAclSlow, {1, 2, 1},
            {"generic", "Copies the value of a key to a new key.", "6.2.0",
             "O(N) worst case for collections, where N is the number of nested items. O(1) for "
             "string values."},
            copy_command));
  t.add(cmd("move", 3, kWrite | kFast, kw | kAclFast, kOneKey,
            {"generic", "Moves a key to another database."}, move_command));
}

}  // namespace cachet::commands
