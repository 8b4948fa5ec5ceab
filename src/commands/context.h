#pragma once
// Everything one command invocation needs.
#include <cstdint>
#include <string_view>
#include <vector>

#include "commands/engine.h"
#include "commands/session.h"
#include "resp/reply_writer.h"
#include "store/database.h"

namespace cachet::commands {

struct CommandContext {
  Engine& engine;
  Session& session;
  const std::vector<std::string_view>& args;  // args[0] is the command name as sent
  resp::ReplyWriter& reply;
  int64_t now_ms;  // one clock reading per command, so a command sees one consistent "now"

  store::Database& db() { return engine.keyspace.db(static_cast<size_t>(session.db)); }
  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }
};

}  // namespace cachet::commands
