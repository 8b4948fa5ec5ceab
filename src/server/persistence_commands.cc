// SAVE, BGSAVE [SCHEDULE] and LASTSAVE.
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
  // SCHEDULE matters when another kind of child (an AOF rewrite) holds the fork; snapshots
  // are the only child Cachet runs, so it is accepted and behaves as a plain BGSAVE.
  if (ctx.argc() > 1 && (ctx.argc() != 2 || !iequals(ctx.arg(1), "schedule"))) {
    return ctx.reply.error(commands::errors::kSyntax);
  }
  Persistence& p = server.persistence();
  if (p.bgsave_in_progress()) return ctx.reply.error("ERR Background save already in progress");
  std::string error;
  if (p.bgsave(ctx.now_ms, &error) != Persistence::BgsaveResult::kStarted) {
    return ctx.reply.error("ERR");
  }
  ctx.reply.simple("Background saving started");
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
  t.add(cmd("lastsave", 1, kLoading | kStale | kFast, kAclAdmin | kAclFast | kAclDangerous,
            kNoKeys,
            {"server", "Returns the Unix timestamp of the last successful save to disk.",
             "1.0.0", "O(1)"},
            [srv](CommandContext& ctx) {
              ctx.reply.integer(srv->persistence().last_save_s());
            }));
}

}  // namespace cachet::server
