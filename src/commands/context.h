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

// Runs a command the way its client would (checks done, statistics kept); EXEC uses it for
// the queued commands.
class CommandInvoker {
 public:
  virtual ~CommandInvoker() = default;
  virtual void invoke(CommandSpec& spec, const std::vector<std::string_view>& args) = 0;
  // Re-runs the client's blocked command after one of its keys changed.
  virtual void reprocess_blocked() = 0;
  // Ends a block without data: the timeout reply, or CLIENT UNBLOCK ... ERROR's error.
  virtual void end_blocking(bool as_error) = 0;
};

struct CommandContext {
  Engine& engine;
  Session& session;
  const std::vector<std::string_view>& args;  // args[0] is the command name as sent
  resp::ReplyWriter& reply;
  int64_t now_ms;  // one clock reading per command, so a command sees one consistent "now"
  CommandInvoker* invoker = nullptr;

  store::Database& db() { return engine.keyspace.db(static_cast<size_t>(session.db)); }
  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }
};

}  // namespace cachet::commands
