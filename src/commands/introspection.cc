// COMMAND and its subcommands, answered from the command table.
#include <fmt/format.h>

#include "common/glob.h"
#include "common/strings.h"
#include "commands/families.h"
#include "commands/help_reply.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

// Key specifications in Valkey's shape, derived from the table's (first, last, step): one
// "index" begin-search and one "range" find-keys spec.
void reply_key_specs(CommandContext& ctx, const CommandSpec& s) {
  if (s.keys.first <= 0) return ctx.reply.array(0);
  ctx.reply.array(1);
  ctx.reply.map(3);
  ctx.reply.bulk("flags");
  bool read_only = s.has(kReadonly);
  ctx.reply.set(2);
  ctx.reply.simple(read_only ? "RO" : "RW");
  ctx.reply.simple(read_only ? "access" : "update");
  ctx.reply.bulk("begin_search");
  ctx.reply.map(2);
  ctx.reply.bulk("type");
  ctx.reply.bulk("index");
  ctx.reply.bulk("spec");
  ctx.reply.map(1);
  ctx.reply.bulk("index");
  ctx.reply.integer(s.keys.first);
  ctx.reply.bulk("find_keys");
  ctx.reply.map(2);
  ctx.reply.bulk("type");
  ctx.reply.bulk("range");
  ctx.reply.bulk("spec");
  ctx.reply.map(3);
  ctx.reply.bulk("lastkey");
  ctx.reply.integer(s.keys.last < 0 ? s.keys.last : s.keys.last - s.keys.first);
  ctx.reply.bulk("keystep");
  ctx.reply.integer(s.keys.step);
  ctx.reply.bulk("limit");
  ctx.reply.integer(0);
}

void reply_info(CommandContext& ctx, const CommandSpec& s) {
  ctx.reply.array(10);
  ctx.reply.bulk(s.name);
  ctx.reply.integer(s.arity);
  auto flags = flag_names(s.flags);
  ctx.reply.set(static_cast<int64_t>(flags.size()));
  for (auto f : flags) ctx.reply.simple(f);
  ctx.reply.integer(s.keys.first);
  ctx.reply.integer(s.keys.last);
  ctx.reply.integer(s.keys.step);
  auto cats = acl_category_names(s.acl);
  ctx.reply.set(static_cast<int64_t>(cats.size()));
  for (auto c : cats) ctx.reply.simple(c);
  ctx.reply.array(0);  // tips
  reply_key_specs(ctx, s);
  ctx.reply.array(static_cast<int64_t>(s.subcommands.size()));
  for (const auto& sub : s.subcommands) reply_info(ctx, *sub);
}

void reply_docs(CommandContext& ctx, const CommandSpec& s) {
  ctx.reply.map(s.subcommands.empty() ? 4 : 5);
  ctx.reply.bulk("summary");
  ctx.reply.bulk(s.summary);
  ctx.reply.bulk("since");
  ctx.reply.bulk(s.since);
  ctx.reply.bulk("group");
  ctx.reply.bulk(s.group);
  ctx.reply.bulk("complexity");
  ctx.reply.bulk(s.complexity);
  if (!s.subcommands.empty()) {
    ctx.reply.bulk("subcommands");
    ctx.reply.map(static_cast<int64_t>(s.subcommands.size()));
    for (const auto& sub : s.subcommands) {
      ctx.reply.bulk(sub->name);
      reply_docs(ctx, *sub);
    }
  }
}

// "config|get" or "get" to its spec.
const CommandSpec* find_by_full_name(CommandContext& ctx, std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* top = ctx.engine.commands.find(name.substr(0, bar));
  if (top == nullptr || bar == std::string_view::npos) return top;
  return top->find_subcommand(name.substr(bar + 1));
}

void command_command(CommandContext& ctx) {
  const auto& all = ctx.engine.commands.all();
  ctx.reply.array(static_cast<int64_t>(all.size()));
  for (const CommandSpec* s : all) reply_info(ctx, *s);
}

void command_info(CommandContext& ctx) {
  if (ctx.argc() == 2) return command_command(ctx);
  ctx.reply.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const CommandSpec* s = find_by_full_name(ctx, ctx.arg(i));
    if (s == nullptr) {
      ctx.reply.null_array();
    } else {
      reply_info(ctx, *s);
    }
  }
}

void command_docs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.argc() == 2) {
    specs.assign(ctx.engine.commands.all().begin(), ctx.engine.commands.all().end());
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i)
      if (const CommandSpec* s = find_by_full_name(ctx, ctx.arg(i))) specs.push_back(s);
  }
  ctx.reply.map(static_cast<int64_t>(specs.size()));
  for (const CommandSpec* s : specs) {
    ctx.reply.bulk(s->name);
    reply_docs(ctx, *s);
  }
}

void command_list(CommandContext& ctx) {
  std::string_view pattern, category;
  if (ctx.argc() == 5 && iequals(ctx.arg(2), "filterby")) {
    if (iequals(ctx.arg(3), "pattern")) {
      pattern = ctx.arg(4);
    } else if (iequals(ctx.arg(3), "aclcat")) {
      category = ctx.arg(4);
    } else if (!iequals(ctx.arg(3), "module")) {
      return ctx.reply.error(errors::kSyntax);
    } else {
      return ctx.reply.array(0);  // no modules
    }
  } else if (ctx.argc() != 2) {
    return ctx.reply.error(errors::kSyntax);
  }
  std::vector<std::string_view> names;
  auto consider = [&](const CommandSpec& s) {
    if (!pattern.empty() && !glob_match(pattern, s.name, true)) return;
    if (!category.empty()) {
      bool found = false;
      for (auto c : acl_category_names(s.acl))
        if (iequals(c.substr(1), category)) found = true;
      if (!found) return;
    }
    names.push_back(s.name);
  };
  for (const CommandSpec* s : ctx.engine.commands.all()) {
    consider(*s);
    for (const auto& sub : s->subcommands) consider(*sub);
  }
  ctx.reply.array(static_cast<int64_t>(names.size()));
  for (auto n : names) ctx.reply.bulk(n);
}

void command_getkeys(CommandContext& ctx) {
  const CommandSpec* s = ctx.engine.commands.find(ctx.arg(2));
  if (s == nullptr) return ctx.reply.error("ERR Invalid command specified");
  size_t argc = ctx.argc() - 2;
  if (!s->subcommands.empty() && argc >= 2) {
    if (const CommandSpec* sub = s->find_subcommand(ctx.arg(3))) s = sub;
  }
  if (!s->arity_ok(argc)) {
    return ctx.reply.error("ERR Invalid number of arguments specified for command");
  }
  std::vector<std::string_view> args(ctx.args.begin() + 2, ctx.args.end());
  std::vector<int> positions = s->key_positions(args);
  if (positions.empty()) return ctx.reply.error("ERR The command has no key arguments");
  ctx.reply.array(static_cast<int64_t>(positions.size()));
  for (int p : positions) ctx.reply.bulk(ctx.arg(2 + static_cast<size_t>(p)));
}

void command_help(CommandContext& ctx) {
  reply_help(ctx, {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all commands.",
      "COUNT",
      "    Return the total number of commands in this server.",
      "LIST",
      "    Return a list of all commands in this server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full command.",
      "HELP",
      "    Print this help."});
}

}  // namespace

void register_introspection_commands(CommandTable& t) {
  const uint64_t c = kAclConnection | kAclSlow;
  CommandSpec& command = t.add(cmd("command", -1, kLoading | kStale, c, kNoKeys,
                                   {"server", "Returns detailed information about all commands.",
                                    "2.8.13", "O(N) where N is the total number of commands"},
                                   command_command));
  t.add_subcommand(command, cmd("count", 2, kLoading | kStale, c, kNoKeys,
                                {"server", "Returns a count of commands.", "2.8.13"},
                                [](CommandContext& ctx) {
                                  ctx.reply.integer(
                                      static_cast<int64_t>(ctx.engine.commands.size()));
                                }));
  t.add_subcommand(command, cmd("info", -2, kLoading | kStale, c, kNoKeys,
                                {"server", "Returns information about one, multiple or all "
                                           "commands.", "2.8.13"},
                                command_info));
  t.add_subcommand(command, cmd("docs", -2, kLoading | kStale, c, kNoKeys,
                                {"server", "Returns documentary information about one, multiple "
                                           "or all commands.", "7.0.0"},
                                command_docs));
  t.add_subcommand(command, cmd("list", -2, kLoading | kStale, c, kNoKeys,
                                {"server", "Returns a list of command names.", "7.0.0"},
                                command_list));
  t.add_subcommand(command, cmd("getkeys", -3, kLoading | kStale, c, kNoKeys,
                                {"server", "Extracts the key names from an arbitrary command.",
                                 "2.8.13"},
                                command_getkeys));
  t.add_subcommand(command, cmd("help", 2, kLoading | kStale, c, kNoKeys,
                                {"server", "Returns helpful text about the different "
                                           "subcommands.", "5.0.0"},
                                command_help));
}

}  // namespace cachet::commands
