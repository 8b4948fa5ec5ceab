// Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms (WEIGHTS, AGGREGATE SUM|MIN|MAX)
// and ZINTERCARD. Plain sets are accepted as inputs with every score 1, as in Valkey.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "commands/errors.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/zset_access.h"
#include "common/strings.h"
#include "store/set_object.h"

namespace cachet::commands {
namespace {

using store::SetObject;
using store::ZSetObject;

enum class Op { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input key: a sorted set, a set (scores of 1) or nothing (the empty set).
struct Input {
  ZSetObject* zset = nullptr;
  SetObject* set = nullptr;
  double weight = 1;

  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  std::optional<double> score(std::string_view member) const {
    if (zset) return zset->score(member);
    if (set && set->contains(member)) return 1.0;
    return std::nullopt;
  }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    if (zset) zset->for_each(fn);
    if (set) set->for_each([&](std::string_view m) { fn(m, 1.0); });
  }
};

// Valkey turns a NaN from weighting or summing (inf - inf) into 0.
double no_nan(double v) { return std::isnan(v) ? 0 : v; }

double combine(Aggregate how, double acc, double v) {
  switch (how) {
    case Aggregate::kSum: return no_nan(acc + v);
    case Aggregate::kMin: return std::min(acc, v);
    case Aggregate::kMax: return std::max(acc, v);
  }
  return acc;
}

struct AlgebraRequest {
  Op op = Op::kUnion;
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;  // ZINTERCARD: stop counting there (0: no limit)
  std::vector<Input> inputs;
};

using Result = ScoredMembers;

Result compute(const AlgebraRequest& q) {
  Result out;
  const std::vector<Input>& in = q.inputs;
  switch (q.op) {
    case Op::kUnion: {
      std::unordered_map<std::string, double> acc;
      for (const Input& input : in) {
        input.for_each([&](std::string_view m, double s) {
          double v = no_nan(input.weight * s);
          auto [it, fresh] = acc.try_emplace(std::string(m), v);
          if (!fresh) it->second = combine(q.aggregate, it->second, v);
        });
      }
      out.assign(acc.begin(), acc.end());
      break;
    }
    case Op::kInter: {
      // Walk the smallest input, probing the others.
      std::vector<const Input*> order;
      for (const Input& input : in) order.push_back(&input);
      std::sort(order.begin(), order.end(),
                [](const Input* a, const Input* b) { return a->size() < b->size(); });
      if (order.empty() || order[0]->size() == 0) break;
      order[0]->for_each([&](std::string_view m, double s) {
        if (q.limit > 0 && static_cast<int64_t>(out.size()) >= q.limit) return;
        double v = no_nan(order[0]->weight * s);
        for (size_t i = 1; i < order.size(); ++i) {
          std::optional<double> other = order[i]->score(m);
          if (!other) return;
          v = combine(q.aggregate, v, no_nan(order[i]->weight * *other));
        }
        out.emplace_back(m, v);
      });
      break;
    }
    case Op::kDiff: {
      in[0].for_each([&](std::string_view m, double s) {
        for (size_t i = 1; i < in.size(); ++i)
          if (in[i].score(m)) return;
        out.emplace_back(m, s);
      });
      break;
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  return out;
}

// Reads numkeys, the input keys and the options after them; false after an error reply.
// `numkeys_at` is the index of numkeys; `store` and `card` select which options are allowed.
bool parse_request(CommandContext& ctx, size_t numkeys_at, bool store, bool card,
                   AlgebraRequest* q) {
  int64_t numkeys;
  if (!parse_int64(ctx.arg(numkeys_at), &numkeys)) {
    ctx.reply.error(errors::kNotInteger);
    return false;
  }
  if (numkeys < 1) {
    std::string msg = "ERR at least 1 input key is needed for '";
    msg.append(to_lower(ctx.arg(0))).append("' command");
    ctx.reply.error(msg);
    return false;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc() - numkeys_at - 1)) {
    ctx.reply.error(errors::kSyntax);
    return false;
  }
  size_t first = numkeys_at + 1, end = first + static_cast<size_t>(numkeys);
  for (size_t i = first; i < end; ++i) {
    store::Entry* e = store ? ctx.db().lookup(ctx.arg(i), ctx.now_ms)
                            : ctx.db().lookup_read(ctx.arg(i), ctx.now_ms);
    Input input;
    if (e != nullptr) {
      if (e->value.type() == store::ValueType::kZSet) {
        input.zset = e->value.zset_object();
      } else if (e->value.type() == store::ValueType::kSet) {
        input.set = e->value.set_object();
      } else {
        ctx.reply.error(errors::kWrongType);
        return false;
      }
    }
    q->inputs.push_back(input);
  }
  bool weighted = q->op != Op::kDiff && !card;
  for (size_t i = end; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    size_t left = ctx.argc() - i - 1;
    if (weighted && iequals(a, "weights") && left >= static_cast<size_t>(numkeys)) {
      for (Input& input : q->inputs) {
        if (!parse_double(ctx.arg(++i), &input.weight)) {
          ctx.reply.error("ERR weight value is not a float");
          return false;
        }
      }
    } else if (weighted && iequals(a, "aggregate") && left >= 1) {
      std::string_view how = ctx.arg(++i);
      if (iequals(how, "sum")) {
        q->aggregate = Aggregate::kSum;
      } else if (iequals(how, "min")) {
        q->aggregate = Aggregate::kMin;
      } else if (iequals(how, "max")) {
        q->aggregate = Aggregate::kMax;
      } else {
        ctx.reply.error(errors::kSyntax);
        return false;
      }
    } else if (!store && !card && iequals(a, "withscores")) {
      q->with_scores = true;
    } else if (card && iequals(a, "limit") && left >= 1) {
      if (!parse_int64(ctx.arg(++i), &q->limit) || q->limit < 0) {
        ctx.reply.error("ERR LIMIT can't be negative");
        return false;
      }
    } else {
      ctx.reply.error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

void algebra_command(CommandContext& ctx, Op op) {
  AlgebraRequest q;
  q.op = op;
  if (!parse_request(ctx, 1, false, false, &q)) return;
  Result result = compute(q);
  int64_t per_item = q.with_scores && ctx.session.protocol < 3 ? 2 : 1;
  ctx.reply.array(static_cast<int64_t>(result.size()) * per_item);
  for (const auto& [m, s] : result) reply_member_score(ctx, m, s, q.with_scores);
}

void algebra_store_command(CommandContext& ctx, Op op, std::string_view event) {
  AlgebraRequest q;
  q.op = op;
  if (!parse_request(ctx, 2, true, false, &q)) return;
  Result result = compute(q);
  store_zset(ctx, ctx.arg(1), result, event);
  ctx.reply.integer(static_cast<int64_t>(result.size()));
}

void zintercard_command(CommandContext& ctx) {
  AlgebraRequest q;
  q.op = Op::kInter;
  if (!parse_request(ctx, 1, false, true, &q)) return;
  ctx.reply.integer(static_cast<int64_t>(compute(q).size()));
}

}  // namespace

void register_zset_algebra_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclSortedSet | kAclSlow;
  const uint64_t w = kAclWrite | kAclSortedSet | kAclSlow;
  auto doc = [](const char* summary, const char* since, const char* complexity) {
    return Doc{"sorted-set", summary, since, complexity};
  };
  struct Form {
    const char* name;
    const char* store;
    Op op;
    const char* summary;
    const char* store_summary;
    const char* store_since;
  };
  static const Form kForms[] = {
      {"zunion", "zunionstore", Op::kUnion, "Returns the union of multiple sorted sets.",
       "Stores the union of multiple sorted sets in a key.", "2.0.0"},
      {"zinter", "zinterstore", Op::kInter, "Returns the intersect of multiple sorted sets.",
       "Stores the intersect of multiple sorted sets in a key.", "2.0.0"},
      {"zdiff", "zdiffstore", Op::kDiff, "Returns the difference between multiple sorted sets.",
       "Stores the difference of multiple sorted sets in a key.", "6.2.0"},
  };
  const char* kCost =
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M "
      "being the number of elements in the resulting sorted set.";
  for (const Form& f : kForms) {
    Op op = f.op;
    std::string event = f.store;
    t.add(cmd(f.name, -3, kReadonly, r, kNoKeys, doc(f.summary, "6.2.0", kCost),
              [op](CommandContext& ctx) { algebra_command(ctx, op); }))
        .key_finder = keys_after_count(1);
    t.add(cmd(f.store, -4, kWrite | kDenyOom, w, kOneKey,
              doc(f.store_summary, f.store_since, kCost),
              [op, event](CommandContext& ctx) { algebra_store_command(ctx, op, event); }))
        .key_finder = keys_after_count(2, /*leading_key=*/true);
  }
  t.add(cmd("zintercard", -3, kReadonly, r, kNoKeys,
            doc("Returns the number of members of the intersect of multiple sorted sets.",
                "7.0.0",
                "O(N*K) worst case with N being the smallest input sorted set, K being the "
                "number of input sorted sets."),
            zintercard_command)).key_finder = keys_after_count(1);
}

}  // namespace cachet::commands
