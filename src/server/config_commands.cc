// CONFIG GET / SET / RESETSTAT / REWRITE / HELP.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "commands/context.h"
#include "commands/errors.h"
#include "commands/help_reply.h"
#include "commands/spec_builder.h"
#include "common/glob.h"
#include "common/log.h"
#include "common/strings.h"
#include "config/config_rewrite.h"
#include "config/directives.h"
#include "server/client.h"
#include "server/server.h"
#include "server/server_families.h"

namespace cachet::server {

using commands::CommandContext;
using commands::cmd;
using commands::reply_help;

namespace {

void config_get(CommandContext& ctx) {
  std::vector<std::pair<std::string, std::string>> found;
  std::set<std::string> seen;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view pattern = ctx.arg(i);
    for (const config::Directive& d : config::directives()) {
      auto add = [&](const std::string& name) {
        if (glob_match(pattern, name, true) && seen.insert(name).second) {
          found.emplace_back(name, d.get(ctx.engine.config));
        }
      };
      add(d.name);
      for (const std::string& alias : d.aliases) add(alias);
    }
  }
  ctx.reply.map(static_cast<int64_t>(found.size()));
  for (const auto& [name, value] : found) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

// enable-protected-configs: "yes", or "local" for loopback and unix-socket clients.
bool protected_configs_allowed(Server& server) {
  const std::string& mode = server.config().enable_protected_configs;
  if (iequals(mode, "yes")) return true;
  Client* self = server.current_client();
  return iequals(mode, "local") && self != nullptr && self->connection().peer_is_loopback();
}

// Sets every name/value pair or none: values are validated into a copy, the apply hooks run,
// and on any failure the old configuration (and what the hooks changed) is restored.
void config_set(Server& server, CommandContext& ctx) {
  if ((ctx.argc() - 2) % 2 != 0) {
    return ctx.reply.error("ERR wrong number of arguments for 'config|set' command");
  }
  config::ServerConfig next = ctx.engine.config;
  std::vector<const config::Directive*> changed;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view name = ctx.arg(i);
    const config::Directive* d = config::find_directive(name);
    if (d == nullptr) {
      return ctx.reply.error(
          fmt::format("ERR Unknown option or number of arguments for CONFIG SET - '{}'", name));
    }
    auto fail = [&](std::string_view reason) {
      ctx.reply.error(fmt::format("ERR CONFIG SET failed (possibly related to argument '{}') - {}",
                                  name, reason));
    };
    if (d->has_flag(config::kImmutable)) return fail("can't set immutable config");
    if (d->has_flag(config::kProtected) && !protected_configs_allowed(server)) {
      return fail("can't set protected config");
    }
    if (std::find(changed.begin(), changed.end(), d) != changed.end()) {
      return fail("duplicate parameter");
    }
    std::string reason;
    if (!d->set(next, config::split_set_value(*d, std::string(ctx.arg(i + 1))), &reason)) {
      return fail(reason);
    }
    changed.push_back(d);
  }
  // TLS material first, so a tls-port opened in the same call has a context to use.
  std::vector<config::ApplyGroup> groups;
  for (const config::Directive* d : changed)
    if (std::find(groups.begin(), groups.end(), d->apply) == groups.end())
      groups.push_back(d->apply);
  std::stable_sort(groups.begin(), groups.end(), [](auto a, auto b) {
    return a == config::ApplyGroup::kTls && b != config::ApplyGroup::kTls;
  });
  config::ServerConfig previous = ctx.engine.config;
  ctx.engine.config = next;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::string reason;
    if (!server.apply(groups[g], &reason)) {
      ctx.engine.config = previous;
      for (size_t undo = 0; undo < g; ++undo) {
        std::string ignored;
        server.apply(groups[undo], &ignored);
      }
      std::string names;
      for (const config::Directive* d : changed) names += (names.empty() ? "" : ", ") + d->name;
      CACHET_LOG_WARNING("CONFIG SET {} refused: {}", names, reason);
      return ctx.reply.error(fmt::format(
          "ERR CONFIG SET failed (possibly related to argument '{}') - {}", changed[0]->name,
          reason));
    }
  }
  ctx.reply.ok();
}

void config_resetstat(CommandContext& ctx) {
  commands::ServerStats& s = ctx.engine.stats;
  int64_t start = s.start_time_us;
  s = commands::ServerStats{};
  s.start_time_us = start;
  ctx.engine.keyspace.stats() = store::KeyspaceStats{};
  ctx.engine.eviction.reset_stats();
  for (commands::CommandSpec* spec : ctx.engine.commands.all()) {
    spec->calls = spec->usec = spec->rejected_calls = spec->failed_calls = 0;
    for (auto& sub : spec->subcommands)
      sub->calls = sub->usec = sub->rejected_calls = sub->failed_calls = 0;
  }
  ctx.reply.ok();
}

void config_rewrite(Server& server, CommandContext& ctx) {
  if (server.config_file().empty()) {
    return ctx.reply.error("ERR The server is running without a config file");
  }
  std::string error;
  if (!config::rewrite_config_file(server.config_file(), ctx.engine.config, &error)) {
    CACHET_LOG_WARNING("CONFIG REWRITE failed: {}", error);
    return ctx.reply.error("ERR " + error);
  }
  CACHET_LOG_NOTICE("CONFIG REWRITE executed with success.");
  ctx.reply.ok();
}

void config_help(CommandContext& ctx) {
  reply_help(ctx, {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Print this help."});
}

}  // namespace

void register_config_commands(Server& server, commands::CommandTable& t) {
  using namespace commands;
  const uint64_t acl = kAclAdmin | kAclSlow | kAclDangerous;
  CommandSpec& config = t.add(cmd("config", -2, 0, kAclSlow, kNoKeys,
                                  {"server", "A container for server configuration commands.",
                                   "2.0.0", "Depends on subcommand."},
                                  nullptr));
  Server* srv = &server;
  const uint32_t f = kAdmin | kNoscript | kLoading | kStale;
  t.add_subcommand(config, cmd("get", -3, f, acl, kNoKeys,
                               {"server", "Returns the effective values of configuration "
                                          "parameters.", "2.0.0",
                                "O(N) when N is the number of configuration parameters provided"},
                               config_get));
  t.add_subcommand(config, cmd("set", -4, f, acl, kNoKeys,
                               {"server", "Sets configuration parameters in-flight.", "2.0.0",
                                "O(N) when N is the number of configuration parameters provided"},
                               [srv](CommandContext& ctx) { config_set(*srv, ctx); }));
  t.add_subcommand(config, cmd("resetstat", 2, f, acl, kNoKeys,
                               {"server", "Resets the server's statistics.", "2.0.0"},
                               config_resetstat));
  t.add_subcommand(config, cmd("rewrite", 2, f, acl, kNoKeys,
                               {"server", "Persists the effective configuration to file.",
                                "2.8.0"},
                               [srv](CommandContext& ctx) { config_rewrite(*srv, ctx); }));
  t.add_subcommand(config, cmd("help", 2, kLoading | kStale, kAclSlow, kNoKeys,
                               {"server", "Returns helpful text about the different "
                                          "subcommands.", "5.0.0"},
                               config_help));
}

}  // namespace cachet::server
