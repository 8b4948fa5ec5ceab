// Popping from sorted sets: ZPOPMIN ZPOPMAX ZMPOP and the blocking BZPOPMIN BZPOPMAX BZMPOP.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "commands/block_request.h"
#include "commands/collection_access.h"
#include "commands/errors.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/zset_access.h"
#include "common/strings.h"

namespace cachet::commands {
namespace {

using store::ZSetObject;

// Removes up to `count` members from the low (min) or high end; the key goes when emptied.
ScoredMembers pop(CommandContext& ctx, std::string_view key,
                                                ZSetObject& z, bool min, size_t count) {
  ScoredMembers out;
  size_t n = std::min(count, z.size());
  size_t from = min ? 0 : z.size() - n;
  z.visit(from, from + n, !min, [&](std::string_view m, double s) { out.emplace_back(m, s); });
  z.remove_ranks(from, from + n);
  if (n > 0) {
    ctx.engine.key_modified(ctx.session.db, key, n);
    ctx.engine.notify(kNotifyZset, min ? "zpopmin" : "zpopmax", ctx.session.db, key);
  }
  delete_if_emptied(ctx, key, z.size());
  return out;
}

void zpop_command(CommandContext& ctx, bool min) {
  if (ctx.argc() > 3) return ctx.reply.error(errors::kSyntax);
  bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count && (!parse_int64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply.error("ERR value is out of range, must be positive");
  }
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype, false);
  if (wrongtype) return;
  if (z == nullptr || count == 0) return ctx.reply.array(0);
  auto popped = pop(ctx, ctx.arg(1), *z, min, static_cast<size_t>(count));
  // RESP3 nests the pairs when a count was given; RESP2 (and a lone pop) is flat.
  bool nested = has_count && ctx.session.protocol >= 3;
  ctx.reply.array(static_cast<int64_t>(popped.size() * (nested ? 1 : 2)));
  for (const auto& [m, s] : popped) {
    if (nested) ctx.reply.array(2);
    ctx.reply.bulk(m);
    ctx.reply.double_value(s);
  }
}

void bzpop_command(CommandContext& ctx, bool min) {
  int64_t deadline;
  if (!parse_block_timeout(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  std::vector<std::string> keys;
  for (size_t i = 1; i + 1 < ctx.argc(); ++i) {
    bool wrongtype;
    ZSetObject* z = find_zset(ctx, ctx.arg(i), &wrongtype, false);
    if (wrongtype) return;
    keys.emplace_back(ctx.arg(i));
    if (z == nullptr) continue;
    auto popped = pop(ctx, ctx.arg(i), *z, min, 1);
    ctx.engine.propagation.rewrite({min ? "ZPOPMIN" : "ZPOPMAX", ctx.arg(i)});  // never blocks
    ctx.reply.array(3);
    ctx.reply.bulk(keys.back());
    ctx.reply.bulk(popped[0].first);
    ctx.reply.double_value(popped[0].second);
    return;
  }
  block_or_null(ctx, std::move(keys), deadline, store::ValueType::kZSet);
}

// ZMPOP numkeys key... MIN|MAX [COUNT n], and BZMPOP with a timeout before numkeys.
void zmpop_command(CommandContext& ctx, bool blocking) {
  int64_t deadline = 0;
  if (blocking && !parse_block_timeout(ctx, ctx.arg(1), &deadline)) return;
  MpopArgs a;
  if (!parse_mpop_args(ctx, blocking ? 2 : 1, "min", "max", &a)) return;
  bool min = a.side_a;
  int64_t count = a.count;
  std::vector<std::string> keys;
  for (size_t i = a.first_key; i < a.end_key; ++i) {
    bool wrongtype;
    ZSetObject* z = find_zset(ctx, ctx.arg(i), &wrongtype, false);
    if (wrongtype) return;
    keys.emplace_back(ctx.arg(i));
    if (z == nullptr) continue;
    auto popped = pop(ctx, ctx.arg(i), *z, min, static_cast<size_t>(count));
    if (ctx.engine.propagation.enabled()) {  // as a pop of the key it took from
      ctx.engine.propagation.rewrite(
          {min ? "ZPOPMIN" : "ZPOPMAX", ctx.arg(i), std::to_string(popped.size())});
    }
    ctx.reply.array(2);
    ctx.reply.bulk(keys.back());
    ctx.reply.array(static_cast<int64_t>(popped.size()));
    for (const auto& [m, s] : popped) {
      ctx.reply.array(2);
      ctx.reply.bulk(m);
      ctx.reply.double_value(s);
    }
    return;
  }
  if (blocking) return block_or_null(ctx, std::move(keys), deadline, store::ValueType::kZSet);
  ctx.reply.null_array();
}

}  // namespace

void register_zset_pop_commands(CommandTable& t) {
  const uint64_t w = kAclWrite | kAclSortedSet;
  auto doc = [](const char* summary, const char* since, const char* complexity) {
    return Doc{"sorted-set", summary, since, complexity};
  };
  const char* kPopCost =
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
      "number of elements popped.";
  t.add(cmd("zpopmin", -2, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Returns the lowest-scoring members from a sorted set after removing them. "
                "Deletes the sorted set if the last member was popped.",
                "5.0.0", kPopCost),
            [](CommandContext& ctx) { zpop_command(ctx, true); }));
  t.add(cmd("zpopmax", -2, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Returns the highest-scoring members from a sorted set after removing them. "
                "Deletes the sorted set if the last member was popped.",
                "5.0.0", kPopCost),
            [](CommandContext& ctx) { zpop_command(ctx, false); }));
  const uint32_t bflags = kWrite | kBlocking;
  t.add(cmd("bzpopmin", -3, bflags | kFast, w | kAclFast | kAclBlocking, {1, -2, 1},
            doc("Removes and returns the member with the lowest score from one or more sorted "
                "sets. Blocks until a member is available otherwise. Deletes the sorted set if "
                "the last element was popped.",
                "5.0.0", "O(log(N)) with N being the number of elements in the sorted set."),
            [](CommandContext& ctx) { bzpop_command(ctx, true); }));
  t.add(cmd("bzpopmax", -3, bflags | kFast, w | kAclFast | kAclBlocking, {1, -2, 1},
            doc("Removes and returns the member with the highest score from one or more sorted "
                "sets. Blocks until a member available otherwise.  Deletes the sorted set if the "
                "last element was popped.",
                "5.0.0", "O(log(N)) with N being the number of elements in the sorted set."),
            [](CommandContext& ctx) { bzpop_command(ctx, false); }));
  const char* kMpopCost =
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
      "elements in the sorted set, and M being the number of elements popped.";
  t.add(cmd("zmpop", -4, kWrite, w | kAclSlow, kNoKeys,
            doc("Returns the highest- or lowest-scoring members from one or more sorted sets "
                "after removing them. Deletes the sorted set if the last member was popped.",
                "7.0.0", kMpopCost),
            [](CommandContext& ctx) { zmpop_command(ctx, false); })).key_finder = keys_after_count(1);
  t.add(cmd("bzmpop", -5, bflags, w | kAclSlow | kAclBlocking, kNoKeys,
            doc("Removes and returns a member by score from one or more sorted sets. Blocks "
                "until a member is available otherwise. Deletes the sorted set if the last "
                "element was popped.",
                "7.0.0", kMpopCost),
            [](CommandContext& ctx) { zmpop_command(ctx, true); })).key_finder = keys_after_count(2);
}

}  // namespace cachet::commands
