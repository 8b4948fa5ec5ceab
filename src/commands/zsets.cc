// Sorted-set commands on single members: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK
// ZRANDMEMBER ZSCAN. Ranges, pops and the set algebra live in their own files.
#include <algorithm>
#include <climits>
#include <iterator>
#include <memory>
#include <cmath>
#include <string>
#include <vector>

#include "commands/collection_access.h"
#include "commands/errors.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/zset_access.h"
#include "common/strings.h"

namespace cachet::commands {
namespace {

using store::ZSetObject;

constexpr std::string_view kNanScore = "ERR resulting score is not a number (NaN)";

struct AddOptions {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// What one ZADD element did.
enum class AddOutcome { kAdded, kUpdated, kUnchanged, kSkipped, kNan };

AddOutcome add_member(ZSetObject& z, std::string_view member, double* score,
                      const AddOptions& o, const store::ZSetLimits& limits) {
  std::optional<double> current = z.score(member);
  if (!current) {
    if (o.xx) return AddOutcome::kSkipped;
    z.set(member, *score, limits);
    return AddOutcome::kAdded;
  }
  if (o.nx) return AddOutcome::kSkipped;
  if (o.incr) {
    *score += *current;
    if (std::isnan(*score)) return AddOutcome::kNan;
  }
  if ((o.lt && *score >= *current) || (o.gt && *score <= *current)) return AddOutcome::kSkipped;
  if (*score == *current) return AddOutcome::kUnchanged;
  z.set(member, *score, limits);
  return AddOutcome::kUpdated;
}

void zadd_generic(CommandContext& ctx, AddOptions o, size_t first_score) {
  size_t elements = ctx.argc() - first_score;
  if (elements == 0 || elements % 2 != 0) return ctx.reply.error(errors::kSyntax);
  if (o.nx && o.xx) {
    return ctx.reply.error("ERR XX and NX options at the same time are not compatible");
  }
  if ((o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt)) {
    return ctx.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (o.incr && elements > 2) {
    return ctx.reply.error("ERR INCR option supports a single increment-element pair");
  }
  // Every score is checked before anything changes. The common few pairs need no heap.
  size_t pairs = elements / 2;
  double inline_scores[8];
  std::unique_ptr<double[]> heap_scores;
  double* scores = inline_scores;
  if (pairs > std::size(inline_scores)) {
    heap_scores = std::make_unique<double[]>(pairs);
    scores = heap_scores.get();
  }
  size_t longest = 0;
  for (size_t p = 0; p < pairs; ++p) {
    if (!parse_score(ctx, ctx.arg(first_score + 2 * p), &scores[p])) return;
    longest = std::max(longest, ctx.arg(first_score + 2 * p + 1).size());
  }
  std::string_view key = ctx.arg(1);
  store::Entry* e = ctx.db().lookup(key, ctx.now_ms);
  if (e != nullptr && e->value.type() != store::ValueType::kZSet) {
    return ctx.reply.error(errors::kWrongType);
  }
  if (e == nullptr) {
    if (o.xx) return o.incr ? ctx.reply.null() : ctx.reply.integer(0);
    e = ctx.db().add(key, store::Value::zset(std::make_unique<ZSetObject>(
                              pairs, longest, zset_limits(ctx))));
  }
  ZSetObject& z = *e->value.zset_object();
  store::ZSetLimits limits = zset_limits(ctx);
  int64_t added = 0, updated = 0;
  bool processed = false, nan = false;
  double last_score = 0;
  for (size_t i = 0; i < pairs; ++i) {
    double score = scores[i];
    AddOutcome out = add_member(z, ctx.arg(first_score + 2 * i + 1), &score, o, limits);
    if (out == AddOutcome::kNan) {
      nan = true;  // only INCR can produce it, and INCR takes one pair
      break;
    }
    if (out == AddOutcome::kAdded) ++added;
    if (out == AddOutcome::kUpdated) ++updated;
    if (out != AddOutcome::kSkipped) {
      processed = true;
      last_score = score;
    }
  }
  if (added + updated > 0) {
    ctx.engine.key_modified(ctx.session.db, key, static_cast<uint64_t>(added + updated));
    ctx.engine.notify(kNotifyZset, o.incr ? "zincr" : "zadd", ctx.session.db, key);
  }
  if (z.size() == 0) ctx.db().remove(key);
  if (nan) return ctx.reply.error(kNanScore);
  if (o.incr) return processed ? ctx.reply.double_value(last_score) : ctx.reply.null();
  ctx.reply.integer(o.ch ? added + updated : added);
}

void zadd_command(CommandContext& ctx) {
  AddOptions o;
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (iequals(a, "nx")) {
      o.nx = true;
    } else if (iequals(a, "xx")) {
      o.xx = true;
    } else if (iequals(a, "gt")) {
      o.gt = true;
    } else if (iequals(a, "lt")) {
      o.lt = true;
    } else if (iequals(a, "ch")) {
      o.ch = true;
    } else if (iequals(a, "incr")) {
      o.incr = true;
    } else {
      break;
    }
  }
  zadd_generic(ctx, o, i);
}

void zincrby_command(CommandContext& ctx) {
  // ZINCRBY key increment member is ZADD key INCR increment member.
  AddOptions o;
  o.incr = true;
  zadd_generic(ctx, o, 2);
}

void zrem_command(CommandContext& ctx) {
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype, false);
  if (wrongtype) return;
  int64_t removed = 0;
  if (z != nullptr) {
    for (size_t i = 2; i < ctx.argc(); ++i)
      if (z->remove(ctx.arg(i))) ++removed;
    if (removed > 0) {
      ctx.engine.key_modified(ctx.session.db, ctx.arg(1), static_cast<uint64_t>(removed));
      ctx.engine.notify(kNotifyZset, "zrem", ctx.session.db, ctx.arg(1));
    }
    delete_if_emptied(ctx, ctx.arg(1), z->size());
  }
  ctx.reply.integer(removed);
}

void zcard_command(CommandContext& ctx) {
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.integer(z ? static_cast<int64_t>(z->size()) : 0);
}

void zscore_command(CommandContext& ctx) {
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::optional<double> s = z ? z->score(ctx.arg(2)) : std::nullopt;
  s ? ctx.reply.double_value(*s) : ctx.reply.null();
}

void zmscore_command(CommandContext& ctx) {
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<double> s = z ? z->score(ctx.arg(i)) : std::nullopt;
    s ? ctx.reply.double_value(*s) : ctx.reply.null();
  }
}

void zrank_generic(CommandContext& ctx, bool reverse) {
  bool with_score = false;
  if (ctx.argc() > 4) return ctx.reply.error(errors::kSyntax);
  if (ctx.argc() == 4) {
    if (!iequals(ctx.arg(3), "withscore")) return ctx.reply.error(errors::kSyntax);
    with_score = true;
  }
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::optional<size_t> rank = z ? z->rank(ctx.arg(2)) : std::nullopt;
  if (!rank) return with_score ? ctx.reply.null_array() : ctx.reply.null();
  auto r = static_cast<int64_t>(reverse ? z->size() - 1 - *rank : *rank);
  if (!with_score) return ctx.reply.integer(r);
  ctx.reply.array(2);
  ctx.reply.integer(r);
  ctx.reply.double_value(*z->score(ctx.arg(2)));
}

void zrandmember_command(CommandContext& ctx) {
  bool has_count = ctx.argc() >= 3;
  int64_t count = 0;
  bool with_scores = false;
  if (has_count) {
    if (!parse_int64(ctx.arg(2), &count)) return ctx.reply.error(errors::kNotInteger);
    if (count == INT64_MIN) {
      return ctx.reply.error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !iequals(ctx.arg(3), "withscores"))) {
      return ctx.reply.error(errors::kSyntax);
    }
    with_scores = ctx.argc() == 4;
    if (with_scores && (count < -LONG_MAX / 2 || count > LONG_MAX / 2)) {
      return ctx.reply.error("ERR value is out of range");
    }
  }
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  auto emit_rank = [&](size_t rank) {
    z->visit(rank, rank + 1, false, [&](std::string_view m, double s) {
      reply_member_score(ctx, m, s, with_scores);
    });
  };
  if (!has_count) {
    if (z == nullptr) return ctx.reply.null();
    return emit_rank(random_u64() % z->size());
  }
  if (z == nullptr || count == 0) return ctx.reply.array(0);
  // RESP2 flattens member/score pairs into one array.
  int64_t per_item = with_scores && ctx.session.protocol < 3 ? 2 : 1;
  reply_random_sample(
      ctx, count, z->size(), per_item, [&] { emit_rank(random_u64() % z->size()); },
      [&](auto take) {
        z->for_each([&](std::string_view m, double s) {
          if (take()) reply_member_score(ctx, m, s, with_scores);
        });
      });
}

void zscan_command(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions options;
  if (!parse_scan_cursor(ctx, ctx.arg(2), &cursor) ||
      !parse_scan_options(ctx, 3, "noscores", &options)) {
    return;
  }
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::vector<std::pair<std::string, double>> found;
  if (z != nullptr) {
    cursor = scan_until(
        cursor, options.count,
        [&](uint64_t at) {
          return z->scan(at, [&](std::string_view m, double s) {
            if (options.matches(m)) found.emplace_back(m, s);
          });
        },
        [&] { return found.size(); });
  } else {
    cursor = 0;
  }
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(cursor));
  ctx.reply.array(static_cast<int64_t>(found.size() * (options.members_only ? 1 : 2)));
  for (const auto& [m, s] : found) {
    ctx.reply.bulk(m);
    if (!options.members_only) ctx.reply.bulk(format_double(s));
  }
}

}  // namespace

void register_zset_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclSortedSet;
  const uint64_t w = kAclWrite | kAclSortedSet;
  auto doc = [](const char* summary, const char* since, const char* complexity = "O(1)") {
    return Doc{"sorted-set", summary, since, complexity};
  };
  t.add(cmd("zadd", -4, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Adds one or more members to a sorted set, or updates their scores. Creates the "
                "key if it doesn't exist.",
                "1.2.0", "O(log(N)) for each item added, where N is the number of elements in "
                         "the sorted set."),
            zadd_command));
  t.add(cmd("zincrby", 4, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Increments the score of a member in a sorted set.", "1.2.0",
                "O(log(N)) where N is the number of elements in the sorted set."),
            zincrby_command));
  t.add(cmd("zrem", -3, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Removes one or more members from a sorted set. Deletes the sorted set if all "
                "members were removed.",
                "1.2.0", "O(M*log(N)) with N being the number of elements in the sorted set and "
                         "M the number of elements to be removed."),
            zrem_command));
  t.add(cmd("zcard", 2, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the number of members in a sorted set.", "1.2.0"), zcard_command));
  t.add(cmd("zscore", 3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the score of a member in a sorted set.", "1.2.0"), zscore_command));
  t.add(cmd("zmscore", -3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the score of one or more members in a sorted set.", "6.2.0",
                "O(N) where N is the number of members being requested."),
            zmscore_command));
  t.add(cmd("zrank", -3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the index of a member in a sorted set ordered by ascending scores.",
                "2.0.0", "O(log(N))"),
            [](CommandContext& ctx) { zrank_generic(ctx, false); }));
  t.add(cmd("zrevrank", -3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the index of a member in a sorted set ordered by descending scores.",
                "2.0.0", "O(log(N))"),
            [](CommandContext& ctx) { zrank_generic(ctx, true); }));
  t.add(cmd("zrandmember", -2, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns one or more random members from a sorted set.", "6.2.0",
                "O(N) where N is the number of members returned"),
            zrandmember_command));
  t.add(cmd("zscan", -3, kReadonly, r | kAclSlow, kOneKey,
            doc("Iterates over members and scores of a sorted set.", "2.8.0",
                "O(1) for every call. O(N) for a complete iteration."),
            zscan_command));
}

}  // namespace cachet::commands
