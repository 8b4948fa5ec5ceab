#include "commands/block_request.h"

#include <utility>

#include "common/strings.h"

namespace cachet::commands {

bool parse_block_timeout(CommandContext& ctx, std::string_view text, int64_t* deadline_ms) {
  double seconds;
  if (!parse_double(text, &seconds)) {
    ctx.reply.error("ERR timeout is not a float or out of range");
    return false;
  }
  if (seconds < 0) {
    ctx.reply.error("ERR timeout is negative");
    return false;
  }
  if (seconds > 1e12) {
    ctx.reply.error("ERR timeout is out of range");
    return false;
  }
  *deadline_ms = seconds == 0 ? 0 : ctx.now_ms + static_cast<int64_t>(seconds * 1000 + 0.5);
  if (seconds > 0 && *deadline_ms == ctx.now_ms) ++*deadline_ms;
  return true;
}

void block_or_null(CommandContext& ctx, std::vector<std::string> keys, int64_t deadline_ms,
                   store::ValueType wait_type, bool null_bulk) {
  if (!ctx.session.may_block) return null_bulk ? ctx.reply.null() : ctx.reply.null_array();
  ctx.session.block_request = {true, std::move(keys), deadline_ms, wait_type};
}

}  // namespace cachet::commands
