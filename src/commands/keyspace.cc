// Whole-database commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME.
#include "common/clock.h"
#include "common/strings.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

// FLUSHDB/FLUSHALL take an optional ASYNC or SYNC; both free synchronously for now, which is
// what SYNC promises and what ASYNC allows.
bool parse_flush_mode(CommandContext& ctx) {
  if (ctx.argc() > 2 || (ctx.argc() == 2 && !iequals(ctx.arg(1), "async") &&
                         !iequals(ctx.arg(1), "sync"))) {
    ctx.reply.error(errors::kSyntax);
    return false;
  }
  return true;
}

void flushdb_command(CommandContext& ctx) {
  if (!parse_flush_mode(ctx)) return;
  ctx.engine.database_emptied(ctx.session.db);
  ctx.db().clear();
  ctx.engine.propagation.force();  // even an empty database is emptied on replay, as Valkey
  ctx.reply.ok();
}

void flushall_command(CommandContext& ctx) {
  if (!parse_flush_mode(ctx)) return;
  for (size_t i = 0; i < ctx.engine.keyspace.db_count(); ++i)
    ctx.engine.database_emptied(static_cast<int>(i));
  ctx.engine.keyspace.flush_all();
  ctx.engine.propagation.force();
  if (ctx.engine.after_flushall) ctx.engine.after_flushall();
  ctx.reply.ok();
}

void swapdb_command(CommandContext& ctx) {
  int64_t a, b;
  if (!parse_int64(ctx.arg(1), &a)) return ctx.reply.error("ERR invalid first DB index");
  if (!parse_int64(ctx.arg(2), &b)) return ctx.reply.error("ERR invalid second DB index");
  int64_t n = static_cast<int64_t>(ctx.engine.keyspace.db_count());
  if (a < 0 || a >= n || b < 0 || b >= n) return ctx.reply.error(errors::kDbIndexRange);
  if (a != b) {
    ctx.engine.databases_swapped(static_cast<int>(a), static_cast<int>(b));
    ctx.engine.keyspace.swap(static_cast<size_t>(a), static_cast<size_t>(b));
    ++ctx.engine.dirty;
  }
  ctx.reply.ok();
}

void time_command(CommandContext& ctx) {
  int64_t us = now_us();
  ctx.reply.array(2);
  ctx.reply.bulk_int(us / 1000000);
  ctx.reply.bulk_int(us % 1000000);
}

}  // namespace

void register_keyspace_commands(CommandTable& t) {
  const uint64_t kw = kAclKeyspace | kAclWrite;
  t.add(cmd("dbsize", 1, kReadonly | kFast, kAclKeyspace | kAclRead | kAclFast, kNoKeys,
            {"server", "Returns the number of keys in the database."},
            [](CommandContext& ctx) { ctx.reply.integer(static_cast<int64_t>(ctx.db().size())); }));
  t.add(cmd("flushdb", -1, kWrite, kw | kAclSlow | kAclDangerous, kNoKeys,
            {"server", "Remove all keys from the current database.", "1.0.0",
             "O(N) where N is the number of keys in the selected database"},
            flushdb_command));
  t.add(cmd("flushall", -1, kWrite, kw | kAclSlow | kAclDangerous, kNoKeys,
            {"server", "Removes all keys from all databases.", "1.0.0",
             "O(N) where N is the total number of keys in all databases"},
            flushall_command));
  t.add(cmd("swapdb", 3, kWrite | kFast, kw | kAclFast | kAclDangerous, kNoKeys,
            {"server", "Swaps two databases.", "4.0.0",
             "O(N) where N is the count of clients watching or blocking on keys from both "
             "databases."},
            swapdb_command));
  t.add(cmd("time", 1, kLoading | kStale | kFast, kAclFast, kNoKeys,
            {"server", "Returns the server time.", "2.6.0"}, time_command));
}

}  // namespace cachet::commands
