#pragma once
// Finding a key of an expected type (with Valkey's WRONGTYPE reply when it holds another) and
// parsing SCAN-family cursors: shared by the collection families and the key commands.
#include <algorithm>
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

// Turns Redis-style (possibly negative) start/stop indexes over `size` items into a clamped
// [*from, *to]; false when the range is empty (LRANGE, LTRIM, ZRANGE by index).
bool clamp_index_range(int64_t start, int64_t stop, size_t size, size_t* from, size_t* to);

// A collection that a write left with `size` items: when it is empty its key goes and the
// keyspace hears "del", as Valkey never keeps an empty collection.
void delete_if_emptied(CommandContext& ctx, std::string_view key, size_t size);

// A uniformly random 64-bit number for the random-member commands and RANDOMKEY.
uint64_t random_u64();

// The reply of SRANDMEMBER/HRANDFIELD/ZRANDMEMBER with a count, for a collection of `size`
// (> 0) items: a negative count picks -count times with repeats (emit_random() emits one
// random item); otherwise min(count, size) distinct items in storage order, chosen by
// selection sampling in one pass: for_each_chosen(take) visits every item and emits those
// for which take() is true. Each item is `per_item` reply elements (2 for RESP2 pairs).
template <typename EmitRandom, typename ForEachChosen>
void reply_random_sample(CommandContext& ctx, int64_t count, size_t size, int64_t per_item,
                         EmitRandom&& emit_random, ForEachChosen&& for_each_chosen) {
  if (count < 0) {
    ctx.reply.array(-count * per_item);
    for (int64_t i = 0; i < -count; ++i) emit_random();
    return;
  }
  size_t wanted = std::min(static_cast<size_t>(count), size);
  ctx.reply.array(static_cast<int64_t>(wanted) * per_item);
  size_t needed = wanted, left = size;
  for_each_chosen([&] {
    bool take = needed > 0 && (wanted == size || random_u64() % left < needed);
    if (take) --needed;
    --left;
    return take;
  });
}

// LMPOP/ZMPOP and their blocking forms: numkeys (at args[numkeys_at]) key... <side> [COUNT n],
// where the side is `side_a` or `side_b` (LEFT/RIGHT, MIN/MAX); false after an error reply.
struct MpopArgs {
  size_t first_key = 0;
  size_t end_key = 0;  // one past the last key
  bool side_a = true;
  int64_t count = 1;
};
bool parse_mpop_args(CommandContext& ctx, size_t numkeys_at, std::string_view side_a,
                     std::string_view side_b, MpopArgs* out);

// A SCAN cursor: an unsigned 64-bit decimal; anything else answers "invalid cursor".
bool parse_scan_cursor(CommandContext& ctx, std::string_view text, uint64_t* cursor);

// The options of HSCAN, SSCAN and ZSCAN: MATCH, COUNT and the family's flag that leaves out
// the second half of each pair (NOVALUES, NOSCORES; empty when there is none).
struct ScanOptions {
  std::string_view pattern;
  int64_t count = 10;
  bool members_only = false;

  bool matches(std::string_view item) const;
};
// Parses args[first..]; false after an error reply.
bool parse_scan_options(CommandContext& ctx, size_t first, std::string_view flag,
                        ScanOptions* options);

// Calls step(cursor) (one bucket's worth, returning the next cursor) until about `count` items
// are found (found() reports how many) or the walk ends; returns the cursor to hand back.
template <typename Step, typename Found>
uint64_t scan_until(uint64_t cursor, int64_t count, Step&& step, Found&& found) {
  int64_t steps = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  do {
    cursor = step(cursor);
  } while (cursor != 0 && --steps > 0 && static_cast<int64_t>(found()) < count);
  return cursor;
}

}  // namespace cachet::commands
