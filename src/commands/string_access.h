#pragma once
// Reading a key as a string, with the WRONGTYPE reply when it is something else.
#include <string_view>

#include "commands/context.h"
#include "commands/errors.h"
#include "store/dict.h"

namespace cachet::commands {

// Replies WRONGTYPE and returns false when `e` holds a non-string value.
inline bool expect_string(CommandContext& ctx, const store::Entry* e) {
  if (e->value.type() == store::ValueType::kString) return true;
  ctx.reply.error(errors::kWrongType);
  return false;
}

// Parses "EX 10", "PX 100", "EXAT ts", "PXAT ts" into an absolute unix-ms time, replying with
// Valkey's error on failure. `command` names the command in the invalid-expire message.
bool parse_expire_arg(CommandContext& ctx, std::string_view unit, std::string_view value,
                      std::string_view command, int64_t* when_ms);

}  // namespace cachet::commands
