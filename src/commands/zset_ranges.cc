// Sorted-set range commands: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) and its older forms
// ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX, ZRANGESTORE, ZCOUNT,
// ZLEXCOUNT and ZREMRANGEBYRANK/SCORE/LEX. Every range becomes a span of ranks first.
#include <string>
#include <utility>
#include <vector>

#include "commands/errors.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/zset_access.h"
#include "common/strings.h"

namespace cachet::commands {
namespace {

using store::ZSetObject;

constexpr std::string_view kNotFloatRange = "ERR min or max is not a float";
constexpr std::string_view kNotLexRange = "ERR min or max not valid string range item";

enum class RangeBy { kAuto, kRank, kScore, kLex };

// Parsed min/max arguments of any kind, turned into ranks of a given set.
struct RangeArgs {
  RangeBy by = RangeBy::kRank;
  int64_t start = 0, stop = 0;
  ScoreBound score_min, score_max;
  LexBound lex_min, lex_max;

  // False after an error reply.
  bool parse(CommandContext& ctx, std::string_view min, std::string_view max) {
    switch (by) {
      case RangeBy::kAuto:
      case RangeBy::kRank:
        if (!parse_int64(min, &start) || !parse_int64(max, &stop)) {
          ctx.reply.error(errors::kNotInteger);
          return false;
        }
        return true;
      case RangeBy::kScore:
        if (!parse_score_bound(min, &score_min) || !parse_score_bound(max, &score_max)) {
          ctx.reply.error(kNotFloatRange);
          return false;
        }
        return true;
      case RangeBy::kLex:
        if (!parse_lex_bound(min, &lex_min) || !parse_lex_bound(max, &lex_max)) {
          ctx.reply.error(kNotLexRange);
          return false;
        }
        return true;
    }
    return true;
  }

  // Ascending ranks; for a reversed index range the indexes count from the highest score.
  RankRange ranks(const ZSetObject& z, bool reverse) const {
    switch (by) {
      case RangeBy::kScore: return score_ranks(z, score_min, score_max);
      case RangeBy::kLex: return lex_ranks(z, lex_min, lex_max);
      default: break;
    }
    RankRange r = index_ranks(z, start, stop);
    if (reverse && r.size() > 0) r = {z.size() - r.to, z.size() - r.from};
    return r;
  }
};

struct RangeRequest {
  RangeArgs args;
  bool reverse = false;
  bool with_scores = false;
  int64_t offset = 0;
  int64_t limit = -1;  // negative: no limit
};

// The members a request selects, in reply order, after LIMIT.
ScoredMembers select(const ZSetObject& z, const RangeRequest& q) {
  ScoredMembers out;
  if (q.offset < 0) return out;  // as Valkey: a negative offset selects nothing
  RankRange r = q.args.ranks(z, q.reverse);
  if (static_cast<size_t>(q.offset) >= r.size()) return out;
  size_t n = r.size() - static_cast<size_t>(q.offset);
  if (q.limit >= 0 && static_cast<size_t>(q.limit) < n) n = static_cast<size_t>(q.limit);
  RankRange picked = q.reverse ? RankRange{r.to - q.offset - n, r.to - q.offset}
                               : RankRange{r.from + q.offset, r.from + q.offset + n};
  out.reserve(n);
  z.visit(picked.from, picked.to, q.reverse,
          [&](std::string_view m, double s) { out.emplace_back(m, s); });
  return out;
}

// ZRANGE and friends. `by` and `reverse` come from the command name for the older forms;
// kAuto means options decide. `store` is ZRANGESTORE (destination first).
void zrange_generic(CommandContext& ctx, RangeBy by, bool reverse, bool store) {
  size_t src = store ? 2 : 1;
  RangeRequest q;
  q.reverse = reverse;
  RangeBy chosen = by;  // kAuto until BYSCORE or BYLEX picks; each may appear once
  bool rev_allowed = by == RangeBy::kAuto;
  bool has_limit = false;
  for (size_t i = src + 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (!store && iequals(a, "withscores")) {
      q.with_scores = true;
    } else if (iequals(a, "limit") && i + 2 < ctx.argc()) {
      if (!parse_int64(ctx.arg(i + 1), &q.offset) || !parse_int64(ctx.arg(i + 2), &q.limit)) {
        return ctx.reply.error(errors::kNotInteger);
      }
      has_limit = true;
      i += 2;
    } else if (chosen == RangeBy::kAuto && iequals(a, "byscore")) {
      chosen = RangeBy::kScore;
    } else if (chosen == RangeBy::kAuto && iequals(a, "bylex")) {
      chosen = RangeBy::kLex;
    } else if (rev_allowed && !q.reverse && iequals(a, "rev")) {
      q.reverse = true;
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  q.args.by = chosen == RangeBy::kAuto ? RangeBy::kRank : chosen;
  if (has_limit && q.args.by == RangeBy::kRank) {
    return ctx.reply.error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (q.with_scores && q.args.by == RangeBy::kLex) {
    return ctx.reply.error(
        "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  // Reversed score and lex ranges name the upper bound first.
  std::string_view min = ctx.arg(src + 1), max = ctx.arg(src + 2);
  if (q.reverse && q.args.by != RangeBy::kRank) std::swap(min, max);
  if (!q.args.parse(ctx, min, max)) return;

  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(src), &wrongtype);
  if (wrongtype) return;
  ScoredMembers picked;
  if (z != nullptr) picked = select(*z, q);
  if (store) {
    store_zset(ctx, ctx.arg(1), picked, "zrangestore");
    return ctx.reply.integer(static_cast<int64_t>(picked.size()));
  }
  int64_t per_item = q.with_scores && ctx.session.protocol < 3 ? 2 : 1;
  ctx.reply.array(static_cast<int64_t>(picked.size()) * per_item);
  for (const auto& [m, s] : picked) reply_member_score(ctx, m, s, q.with_scores);
}

void count_generic(CommandContext& ctx, RangeBy by) {
  RangeArgs args;
  args.by = by;
  if (!args.parse(ctx, ctx.arg(2), ctx.arg(3))) return;
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.integer(z ? static_cast<int64_t>(args.ranks(*z, false).size()) : 0);
}

void remrange_generic(CommandContext& ctx, RangeBy by, std::string_view event) {
  RangeArgs args;
  args.by = by;
  if (!args.parse(ctx, ctx.arg(2), ctx.arg(3))) return;
  bool wrongtype;
  ZSetObject* z = find_zset(ctx, ctx.arg(1), &wrongtype, false);
  if (wrongtype) return;
  if (z == nullptr) return ctx.reply.integer(0);
  RankRange r = args.ranks(*z, false);
  z->remove_ranks(r.from, r.to);
  if (r.size() > 0) {
    ctx.engine.key_modified(ctx.session.db, ctx.arg(1), r.size());
    ctx.engine.notify(kNotifyZset, event, ctx.session.db, ctx.arg(1));
    delete_if_emptied(ctx, ctx.arg(1), z->size());
  }
  ctx.reply.integer(static_cast<int64_t>(r.size()));
}

}  // namespace

void register_zset_range_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclSortedSet | kAclSlow;
  const uint64_t w = kAclWrite | kAclSortedSet | kAclSlow;
  auto doc = [](const char* summary, const char* since, const char* complexity) {
    return Doc{"sorted-set", summary, since, complexity};
  };
  const char* kRangeCost =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements returned.";
  struct RangeForm {
    const char* name;
    RangeBy by;
    bool reverse;
    const char* summary;
    const char* since;
  };
  static const RangeForm kForms[] = {
      {"zrange", RangeBy::kAuto, false, "Returns members in a sorted set within a range of indexes.",
       "1.2.0"},
      {"zrevrange", RangeBy::kRank, true,
       "Returns members in a sorted set within a range of indexes in reverse order.", "1.2.0"},
      {"zrangebyscore", RangeBy::kScore, false,
       "Returns members in a sorted set within a range of scores.", "1.0.5"},
      {"zrevrangebyscore", RangeBy::kScore, true,
       "Returns members in a sorted set within a range of scores in reverse order.", "2.2.0"},
      {"zrangebylex", RangeBy::kLex, false,
       "Returns members in a sorted set within a lexicographical range.", "2.8.9"},
      {"zrevrangebylex", RangeBy::kLex, true,
       "Returns members in a sorted set within a lexicographical range in reverse order.",
       "2.8.9"},
  };
  for (const RangeForm& f : kForms) {
    RangeBy by = f.by;
    bool reverse = f.reverse;
    t.add(cmd(f.name, -4, kReadonly, r, kOneKey, doc(f.summary, f.since, kRangeCost),
              [by, reverse](CommandContext& ctx) { zrange_generic(ctx, by, reverse, false); }));
  }
  t.add(cmd("zrangestore", -5, kWrite | kDenyOom, w, {1, 2, 1},
            doc("Stores a range of members from sorted set in a key.", "6.2.0",
                "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                "number of elements stored into the destination key."),
            [](CommandContext& ctx) { zrange_generic(ctx, RangeBy::kAuto, false, true); }));
  t.add(cmd("zcount", 4, kReadonly | kFast, kAclRead | kAclSortedSet | kAclFast, kOneKey,
            doc("Returns the count of members in a sorted set that have scores within a range.",
                "2.0.0", "O(log(N)) with N being the number of elements in the sorted set."),
            [](CommandContext& ctx) { count_generic(ctx, RangeBy::kScore); }));
  t.add(cmd("zlexcount", 4, kReadonly | kFast, kAclRead | kAclSortedSet | kAclFast, kOneKey,
            doc("Returns the number of members in a sorted set within a lexicographical range.",
                "2.8.9", "O(log(N)) with N being the number of elements in the sorted set."),
            [](CommandContext& ctx) { count_generic(ctx, RangeBy::kLex); }));
  const char* kRemoveCost =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  t.add(cmd("zremrangebyrank", 4, kWrite, w, kOneKey,
            doc("Removes members in a sorted set within a range of indexes. Deletes the sorted "
                "set if all members were removed.",
                "2.0.0", kRemoveCost),
            [](CommandContext& ctx) { remrange_generic(ctx, RangeBy::kRank, "zremrangebyrank"); }));
  t.add(cmd("zremrangebyscore", 4, kWrite, w, kOneKey,
            doc("Removes members in a sorted set within a range of scores. Deletes the sorted "
                "set if all members were removed.",
                "1.2.0", kRemoveCost),
            [](CommandContext& ctx) {
              remrange_generic(ctx, RangeBy::kScore, "zremrangebyscore");
            }));
  t.add(cmd("zremrangebylex", 4, kWrite, w, kOneKey,
            doc("Removes members in a sorted set within a lexicographical range. Deletes the "
                "sorted set if all members were removed.",
                "2.8.9", kRemoveCost),
            [](CommandContext& ctx) { remrange_generic(ctx, RangeBy::kLex, "zremrangebylex"); }));
}

}  // namespace cachet::commands
