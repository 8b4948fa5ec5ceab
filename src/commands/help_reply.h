#pragma once
// The HELP subcommands' reply: an array of status lines.
#include <initializer_list>

#include "commands/context.h"

namespace cachet::commands {

inline void reply_help(CommandContext& ctx, std::initializer_list<const char*> lines) {
  ctx.reply.array(static_cast<int64_t>(lines.size()));
  for (const char* line : lines) ctx.reply.simple(line);
}

}  // namespace cachet::commands
