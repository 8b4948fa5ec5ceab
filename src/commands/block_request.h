#pragma once
// What blocking commands (BLPOP, BZPOPMIN and friends) share: their timeout argument and the
// request to block when there is nothing to take.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "commands/context.h"

namespace cachet::commands {

// A timeout in seconds (0 = forever) turned into a deadline; false after an error reply.
bool parse_block_timeout(CommandContext& ctx, std::string_view text, int64_t* deadline_ms);

// Blocks until one of `keys` holds `wait_type`, or where blocking is not allowed (inside EXEC)
// answers at once: a null array, or a null bulk for the move commands, as Valkey does.
void block_or_null(CommandContext& ctx, std::vector<std::string> keys, int64_t deadline_ms,
                   store::ValueType wait_type, bool null_bulk = false);

}  // namespace cachet::commands
