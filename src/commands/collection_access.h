#pragma once
// Finding a key of an expected type (with Valkey's WRONGTYPE reply when it holds another) and
// parsing SCAN-family cursors: shared by the collection families and the key commands.
#include <cstdint>
#include <string_view>

#include "commands/context.h"
#include "commands/errors.h"
#include "store/dict.h"

namespace cachet::commands {

// The live entry at `key` if it holds `type`; nullptr when absent. When it holds another type
// the reply is WRONGTYPE, *wrongtype is set and nullptr returned. `read` counts a keyspace
// hit or miss, as read commands do.
inline store::Entry* find_typed(CommandContext& ctx, std::string_view key, store::ValueType type,
                                bool* wrongtype, bool read = true) {
  *wrongtype = false;
  store::Entry* e =
      read ? ctx.db().lookup_read(key, ctx.now_ms) : ctx.db().lookup(key, ctx.now_ms);
  if (e == nullptr || e->value.type() == type) return e;
  *wrongtype = true;
  ctx.reply.error(errors::kWrongType);
  return nullptr;
}

// The entry at `key`, created with make() when absent; nullptr after a WRONGTYPE reply.
template <typename MakeValue>
store::Entry* typed_for_write(CommandContext& ctx, std::string_view key, store::ValueType type,
                              MakeValue&& make) {
  store::Entry* e = ctx.db().lookup(key, ctx.now_ms);
  if (e == nullptr) return ctx.db().add(key, make());
  if (e->value.type() == type) return e;
  ctx.reply.error(errors::kWrongType);
  return nullptr;
}

// A SCAN cursor: an unsigned 64-bit decimal; anything else answers "invalid cursor".
bool parse_scan_cursor(CommandContext& ctx, std::string_view text, uint64_t* cursor);

}  // namespace cachet::commands
