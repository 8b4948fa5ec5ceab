// SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF and LASTSAVE.
#include "commands/context.h"
#include "commands/errors.h"
#include "commands/spec_builder.h"
#include "common/clock.h"
#include "common/strings.h"
#include "server/server.h"
#include "server/server_families.h"

namespace cachet::server {
namespace {

using commands::CommandContext;

void save_command(Server& server, CommandContext& ctx) {
  std::string error;
  if (!server.persistence().save(ctx.now_ms, &error)) return ctx.reply.error(error);
  ctx.reply.ok();
}

void bgsave_command(Server& server, CommandContext& ctx) {
  bool schedule = ctx.argc() == 2 && iequals(ctx.arg(1), "schedule");
  if (ctx.argc() > 1 && !schedule) return ctx.reply.error(commands::errors::kSyntax);
  Persistence& p = server.persistence();
  if (p.bgsave_in_progress()) return ctx.reply.error("ERR Background save already in progress");
  // One child at a time: an AOF rewrite holds the fork.
  if (p.child_running()) {
    if (!schedule) {
      return ctx.reply.error(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
          "SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    p.schedule_bgsave();
    return ctx.reply.simple("Background saving scheduled");
  }
  std::string error;
  if (p.bgsave(ctx.now_ms, &error) != Persistence::BgsaveResult::kStarted) {
    return ctx.reply.error("ERR");
  }
  ctx.reply.simple("Background saving started");
}

void bgrewriteaof_command(Server& server, CommandContext& ctx) {
  switch (server.persistence().bgrewriteaof(ctx.now_ms)) {
    case Persistence::RewriteResult::kStarted:
      return ctx.reply.simple("Background append only file rewriting started");
    case Persistence::RewriteResult::kScheduled:
      return ctx.reply.simple("Background append only file rewriting scheduled");
    case Persistence::RewriteResult::kInProgress:
      return ctx.reply.error("ERR Background append only file rewriting already in progress");
    case Persistence::RewriteResult::kFailed:
      return ctx.reply.error(
          "ERR Can't execute an AOF background rewriting. Please check the server logs for "
          "more information.");
  }
}

}  // namespace

void register_persistence_commands(Server& server, commands::CommandTable& t) {
  using namespace commands;
  Server* srv = &server;
  const uint64_t acl = kAclAdmin | kAclSlow | kAclDangerous;
  t.add(cmd("save", 1, kAdmin | kNoscript | kNoMulti, acl, kNoKeys,
            {"server", "Synchronously saves the database(s) to disk.", "1.0.0",
             "O(N) where N is the total number of keys in all databases"},
            [srv](CommandContext& ctx) { save_command(*srv, ctx); }));
  t.add(cmd("bgsave", -1, kAdmin | kNoscript, acl, kNoKeys,
            {"server", "Asynchronously saves the database(s) to disk.", "1.0.0",
             "O(1)"},
            [srv](CommandContext& ctx) { bgsave_command(*srv, ctx); }));
  t.add(cmd("bgrewriteaof", 1, kAdmin | kNoscript, acl, kNoKeys,
            {"server", "Asynchronously rewrites the append-only file to disk.", "1.0.0", "O(1)"},
            [srv](CommandContext& ctx) { bgrewriteaof_command(*srv, ctx); }));
  t.add(cmd("lastsave", 1, kLoading | kStale | kFast, kAclAdmin | kAclFast | kAclDangerous,
            kNoKeys,
            {"server", "Returns the Unix timestamp of the last successful save to disk.",
             "1.0.0", "O(1)"},
            [srv](CommandContext& ctx) {
              ctx.reply.integer(srv->persistence().last_save_s());
            }));
}

}  // namespace cachet::server
