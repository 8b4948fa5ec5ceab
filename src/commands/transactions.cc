// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Queueing itself happens in the client's
// dispatch (commands are checked, copied and answered +QUEUED there); EXEC runs the queue
// through the same invoker, so queued commands keep their statistics and error counting.
#include <fmt/format.h>

#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

void end_transaction(CommandContext& ctx) { ctx.engine.discard_transaction(ctx.session); }

// A watched key that was live when watched and has since passed its TTL, without anyone
// touching it (so no deletion signalled it), also fails the transaction.
bool watched_key_expired(CommandContext& ctx) {
  for (const WatchedKey& w : ctx.session.watched) {
    if (w.expired_when_watched) continue;
    store::Database& db = ctx.engine.keyspace.db(static_cast<size_t>(w.db));
    store::Entry* e = db.dict().find(w.key);
    if (e == nullptr) continue;
    int64_t when = db.expire_at(e);
    if (when != -1 && when < ctx.now_ms) return true;
  }
  return false;
}

void multi_command(CommandContext& ctx) {
  if (ctx.session.in_multi) return ctx.reply.error("ERR MULTI calls can not be nested");
  ctx.session.in_multi = true;
  ctx.reply.ok();
}

void discard_command(CommandContext& ctx) {
  if (!ctx.session.in_multi) return ctx.reply.error("ERR DISCARD without MULTI");
  end_transaction(ctx);
  ctx.reply.ok();
}

void exec_command(CommandContext& ctx) {
  if (!ctx.session.in_multi) return ctx.reply.error("ERR EXEC without MULTI");
  if (ctx.session.multi_aborted) {
    end_transaction(ctx);
    return ctx.reply.error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (ctx.session.watch_dirty || watched_key_expired(ctx)) {
    end_transaction(ctx);
    return ctx.reply.null_array();
  }
  std::vector<QueuedCommand> queue = std::move(ctx.session.queued);
  // Leave MULTI before running the queue, so the queued commands run rather than queue again.
  end_transaction(ctx);
  ctx.reply.array(static_cast<int64_t>(queue.size()));
  std::vector<std::string_view> args;
  ctx.session.may_block = false;  // blocking commands answer at once inside a transaction
  for (QueuedCommand& q : queue) {
    args.assign(q.args.begin(), q.args.end());
    ctx.invoker->invoke(*q.spec, args);
  }
  ctx.session.may_block = true;
}

void watch_command(CommandContext& ctx) {
  if (ctx.session.in_multi) return ctx.reply.error("ERR WATCH inside MULTI is not allowed");
  store::Database& db = ctx.db();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    store::Entry* e = db.dict().find(ctx.arg(i));
    int64_t when = e == nullptr ? -1 : db.expire_at(e);
    bool expired = e != nullptr && when != -1 && when < ctx.now_ms;
    ctx.engine.watches.watch(ctx.session, ctx.session.db, ctx.arg(i), expired);
  }
  ctx.reply.ok();
}

void unwatch_command(CommandContext& ctx) {
  ctx.engine.watches.unwatch_all(ctx.session);
  ctx.reply.ok();
}

}  // namespace

void register_transaction_commands(CommandTable& t) {
  const uint64_t acl = kAclTransaction | kAclFast;
  const uint32_t f = kNoscript | kLoading | kStale | kFast | kAllowBusy;
  t.add(cmd("multi", 1, f | kNoMulti, acl, kNoKeys,
            {"transactions", "Starts a transaction.", "1.2.0"}, multi_command));
  t.add(cmd("exec", 1, kNoscript | kLoading | kStale | kSkipSlowlog | kRunsInMulti,
            kAclTransaction | kAclSlow, kNoKeys,
            {"transactions", "Executes all commands in a transaction.", "1.2.0",
             "Depends on commands in the transaction"},
            exec_command));
  t.add(cmd("discard", 1, f | kRunsInMulti, acl, kNoKeys,
            {"transactions", "Discards a transaction.", "2.0.0",
             "O(N), when N is the number of queued commands"},
            discard_command));
  t.add(cmd("watch", -2, f | kNoMulti, acl, {1, -1, 1},
            {"transactions", "Monitors changes to keys to determine the execution of a "
                             "transaction.", "2.2.0",
             "O(1) for every key."},
            watch_command));
  t.add(cmd("unwatch", 1, f, acl, kNoKeys,
            {"transactions", "Forgets about watched keys of a transaction.", "2.2.0"},
            unwatch_command));
}

}  // namespace cachet::commands
