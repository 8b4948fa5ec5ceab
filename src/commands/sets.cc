// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE, the
// algebra (SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE) and SSCAN.
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "common/strings.h"
#include "commands/collection_access.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"
#include "store/set_object.h"

namespace cachet::commands {
namespace {

using store::Entry;
using store::SetObject;

store::SetLimits set_limits(const CommandContext& ctx) {
  const config::ServerConfig& c = ctx.engine.config;
  return {static_cast<size_t>(c.set_max_intset_entries),
          static_cast<size_t>(c.set_max_listpack_entries),
          static_cast<size_t>(c.set_max_listpack_value)};
}

SetObject* find_set(CommandContext& ctx, std::string_view key, bool* wrongtype,
                    bool count_hit = true) {
  Entry* e = find_typed(ctx, key, store::ValueType::kSet, wrongtype, count_hit);
  return e == nullptr ? nullptr : e->value.set_object();
}

SetObject* set_for_write(CommandContext& ctx, std::string_view key) {
  Entry* e = typed_for_write(ctx, key, store::ValueType::kSet,
                             [] { return store::Value::set(std::make_unique<SetObject>()); });
  return e == nullptr ? nullptr : e->value.set_object();
}

// An emptied set is deleted; that is a "del" event of its own.
void reply_members(CommandContext& ctx, const std::vector<std::string>& members) {
  ctx.reply.set(static_cast<int64_t>(members.size()));
  for (const std::string& m : members) ctx.reply.bulk(m);
}

void sadd_command(CommandContext& ctx) {
  SetObject* s = set_for_write(ctx, ctx.arg(1));
  if (s == nullptr) return;
  int64_t added = 0;
  store::SetLimits limits = set_limits(ctx);
  for (size_t i = 2; i < ctx.argc(); ++i)
    if (s->add(ctx.arg(i), limits)) ++added;
  if (s->size() == 0) ctx.db().remove(ctx.arg(1));
  if (added > 0) {
    ctx.engine.key_modified(ctx.session.db, ctx.arg(1), static_cast<uint64_t>(added));
    ctx.engine.notify(kNotifySet, "sadd", ctx.session.db, ctx.arg(1));
  }
  ctx.reply.integer(added);
}

void srem_command(CommandContext& ctx) {
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype, false);
  if (wrongtype) return;
  int64_t removed = 0;
  if (s != nullptr) {
    for (size_t i = 2; i < ctx.argc(); ++i)
      if (s->remove(ctx.arg(i))) ++removed;
    if (removed > 0) {
      ctx.engine.key_modified(ctx.session.db, ctx.arg(1), static_cast<uint64_t>(removed));
      ctx.engine.notify(kNotifySet, "srem", ctx.session.db, ctx.arg(1));
      delete_if_emptied(ctx, ctx.arg(1), s->size());
    }
  }
  ctx.reply.integer(removed);
}

void smembers_command(CommandContext& ctx) {
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.set(s ? static_cast<int64_t>(s->size()) : 0);
  if (s) s->for_each([&](std::string_view m) { ctx.reply.bulk(m); });
}

void sismember_command(CommandContext& ctx) {
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.integer(s && s->contains(ctx.arg(2)) ? 1 : 0);
}

void smismember_command(CommandContext& ctx) {
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply.integer(s && s->contains(ctx.arg(i)) ? 1 : 0);
}

void scard_command(CommandContext& ctx) {
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.integer(s ? static_cast<int64_t>(s->size()) : 0);
}

void spop_command(CommandContext& ctx) {
  int64_t count = 1;
  bool has_count = ctx.argc() == 3;
  if (ctx.argc() > 3) return ctx.reply.error(errors::kSyntax);
  if (has_count) {
    if (!parse_int64(ctx.arg(2), &count) || count < 0) {
      return ctx.reply.error("ERR value is out of range, must be positive");
    }
  }
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype, false);
  if (wrongtype) return;
  if (s == nullptr) return has_count ? ctx.reply.set(0) : ctx.reply.null();
  std::vector<std::string> popped;
  while (static_cast<int64_t>(popped.size()) < count && s->size() > 0) {
    popped.push_back(s->random_member(random_u64()));
    s->remove(popped.back());
  }
  if (!popped.empty()) {
    // Chance picked the members: a replay must remove these very ones.
    if (ctx.engine.propagation.enabled()) {
      std::vector<std::string> srem{"SREM", std::string(ctx.arg(1))};
      srem.insert(srem.end(), popped.begin(), popped.end());
      ctx.engine.propagation.rewrite(std::move(srem));
    }
    ctx.engine.key_modified(ctx.session.db, ctx.arg(1), popped.size());
    ctx.engine.notify(kNotifySet, "spop", ctx.session.db, ctx.arg(1));
    delete_if_emptied(ctx, ctx.arg(1), s->size());
  }
  if (!has_count) return ctx.reply.bulk(popped.front());
  reply_members(ctx, popped);
}

void srandmember_command(CommandContext& ctx) {
  int64_t count = 0;
  bool has_count = ctx.argc() == 3;
  if (ctx.argc() > 3) return ctx.reply.error(errors::kSyntax);
  if (has_count) {
    if (!parse_int64(ctx.arg(2), &count)) return ctx.reply.error(errors::kNotInteger);
    if (count < -LONG_MAX / 2 || count > LONG_MAX / 2) {
      return ctx.reply.error("ERR value is out of range");
    }
  }
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (!has_count) return s ? ctx.reply.bulk(s->random_member(random_u64())) : ctx.reply.null();
  if (s == nullptr || count == 0) return ctx.reply.array(0);
  reply_random_sample(
      ctx, count, s->size(), 1, [&] { ctx.reply.bulk(s->random_member(random_u64())); },
      [&](auto take) {
        s->for_each([&](std::string_view m) {
          if (take()) ctx.reply.bulk(m);
        });
      });
}

void smove_command(CommandContext& ctx) {
  bool wrongtype;
  SetObject* src = find_set(ctx, ctx.arg(1), &wrongtype, false);
  if (wrongtype) return;
  Entry* dst_entry = ctx.db().lookup(ctx.arg(2), ctx.now_ms);
  if (dst_entry != nullptr && dst_entry->value.type() != store::ValueType::kSet) {
    return ctx.reply.error(errors::kWrongType);
  }
  if (src == nullptr || !src->contains(ctx.arg(3))) return ctx.reply.integer(0);
  if (ctx.arg(1) == ctx.arg(2)) return ctx.reply.integer(1);
  src->remove(ctx.arg(3));
  ctx.engine.notify(kNotifySet, "srem", ctx.session.db, ctx.arg(1));
  delete_if_emptied(ctx, ctx.arg(1), src->size());
  SetObject* dst = set_for_write(ctx, ctx.arg(2));
  bool added = dst->add(ctx.arg(3), set_limits(ctx));
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  // As Valkey: one change for the removal, one more when the member was new to the target.
  ctx.engine.key_modified(ctx.session.db, ctx.arg(2), added ? 1 : 0);
  if (added) ctx.engine.notify(kNotifySet, "sadd", ctx.session.db, ctx.arg(2));
  ctx.reply.integer(1);
}

enum class Algebra { kInter, kUnion, kDiff };

// Computes the operation over the sets named by args[first..last]; false after an error reply.
bool compute(CommandContext& ctx, Algebra op, size_t first, size_t last, int64_t limit,
             std::vector<std::string>* out) {
  std::vector<SetObject*> sets;
  for (size_t i = first; i <= last; ++i) {
    bool wrongtype;
    SetObject* s = find_set(ctx, ctx.arg(i), &wrongtype);
    if (wrongtype) return false;
    sets.push_back(s);
  }
  out->clear();
  switch (op) {
    case Algebra::kInter: {
      for (SetObject* s : sets)
        if (s == nullptr) return true;  // a missing key is the empty set
      // Walk the smallest set, probing the others.
      std::sort(sets.begin(), sets.end(),
                [](SetObject* a, SetObject* b) { return a->size() < b->size(); });
      sets[0]->for_each([&](std::string_view m) {
        if (limit > 0 && static_cast<int64_t>(out->size()) >= limit) return;
        for (size_t i = 1; i < sets.size(); ++i)
          if (!sets[i]->contains(m)) return;
        out->emplace_back(m);
      });
      return true;
    }
    case Algebra::kUnion: {
      SetObject acc;
      store::SetLimits unlimited{SIZE_MAX, 0, 0};  // straight to the table form
      for (SetObject* s : sets)
        if (s) s->for_each([&](std::string_view m) {
            if (acc.add(m, unlimited)) out->emplace_back(m);
          });
      return true;
    }
    case Algebra::kDiff: {
      if (sets[0] == nullptr) return true;
      sets[0]->for_each([&](std::string_view m) {
        for (size_t i = 1; i < sets.size(); ++i)
          if (sets[i] != nullptr && sets[i]->contains(m)) return;
        out->emplace_back(m);
      });
      return true;
    }
  }
  return true;
}

void algebra_command(CommandContext& ctx, Algebra op) {
  std::vector<std::string> result;
  if (!compute(ctx, op, 1, ctx.argc() - 1, 0, &result)) return;
  reply_members(ctx, result);
}

void algebra_store_command(CommandContext& ctx, Algebra op) {
  std::vector<std::string> result;
  if (!compute(ctx, op, 2, ctx.argc() - 1, 0, &result)) return;
  std::string_view dst = ctx.arg(1);
  if (result.empty()) {
    if (ctx.db().remove(dst)) ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, dst);
  } else {
    auto set = std::make_unique<SetObject>();
    store::SetLimits limits = set_limits(ctx);
    for (const std::string& m : result) set->add(m, limits);
    ctx.db().set(dst, store::Value::set(std::move(set)), false);
    static constexpr std::string_view kEvent[] = {"sinterstore", "sunionstore", "sdiffstore"};
    ctx.engine.notify(kNotifySet, kEvent[static_cast<int>(op)], ctx.session.db, dst);
  }
  ctx.engine.key_modified(ctx.session.db, dst);
  ctx.reply.integer(static_cast<int64_t>(result.size()));
}

void sintercard_command(CommandContext& ctx) {
  int64_t numkeys;
  if (!parse_int64(ctx.arg(1), &numkeys) || numkeys <= 0) {
    return ctx.reply.error("ERR numkeys should be greater than 0");
  }
  if (numkeys > static_cast<int64_t>(ctx.argc() - 2)) {
    return ctx.reply.error("ERR Number of keys can't be greater than number of args");
  }
  int64_t limit = 0;
  size_t i = 2 + static_cast<size_t>(numkeys);
  if (i < ctx.argc()) {
    if (i + 2 != ctx.argc() || !iequals(ctx.arg(i), "limit")) {
      return ctx.reply.error(errors::kSyntax);
    }
    // Valkey answers the same for a negative and a non-numeric limit.
    if (!parse_int64(ctx.arg(i + 1), &limit) || limit < 0) {
      return ctx.reply.error("ERR LIMIT can't be negative");
    }
  }
  std::vector<std::string> result;
  if (!compute(ctx, Algebra::kInter, 2, 1 + static_cast<size_t>(numkeys), limit, &result)) return;
  ctx.reply.integer(static_cast<int64_t>(result.size()));
}

void sscan_command(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions options;
  if (!parse_scan_cursor(ctx, ctx.arg(2), &cursor) || !parse_scan_options(ctx, 3, "", &options)) {
    return;
  }
  bool wrongtype;
  SetObject* s = find_set(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::vector<std::string> found;
  if (s != nullptr) {
    cursor = scan_until(
        cursor, options.count,
        [&](uint64_t at) {
          return s->scan(at, [&](std::string_view m) {
            if (options.matches(m)) found.emplace_back(m);
          });
        },
        [&] { return found.size(); });
  } else {
    cursor = 0;
  }
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(cursor));
  ctx.reply.array(static_cast<int64_t>(found.size()));
  for (const std::string& m : found) ctx.reply.bulk(m);
}

}  // namespace

void register_set_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclSet;
  const uint64_t w = kAclWrite | kAclSet;
  auto doc = [](const char* summary, const char* since, const char* complexity = "O(1)") {
    return Doc{"set", summary, since, complexity};
  };
  const KeySpec all_keys{1, -1, 1};
  const KeySpec store_keys{1, -1, 1};
  t.add(cmd("sadd", -3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Adds one or more members to a set. Creates the key if it doesn't exist.", "1.0.0",
                "O(1) for each element added"),
            sadd_command));
  t.add(cmd("srem", -3, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Removes one or more members from a set. Deletes the set if the last member "
                "was removed.",
                "1.0.0", "O(N) where N is the number of members to be removed."),
            srem_command));
  t.add(cmd("smembers", 2, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns all members of a set.", "1.0.0", "O(N) where N is the set cardinality."),
            smembers_command));
  t.add(cmd("sismember", 3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Determines whether a member belongs to a set.", "1.0.0"), sismember_command));
  t.add(cmd("smismember", -3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Determines whether multiple members belong to a set.", "6.2.0",
                "O(N) where N is the number of elements being checked for membership"),
            smismember_command));
  t.add(cmd("scard", 2, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the number of members in a set.", "1.0.0"), scard_command));
  t.add(cmd("spop", -2, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Returns one or more random members from a set after removing them. Deletes "
                "the set if the last member was popped.",
                "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the value "
                         "of the passed count."),
            spop_command));
  t.add(cmd("srandmember", -2, kReadonly, r | kAclSlow, kOneKey,
            doc("Get one or multiple random members from a set", "1.0.0",
                "Without the count argument O(1), otherwise O(N) where N is the absolute value "
                "of the passed count."),
            srandmember_command));
  t.add(cmd("smove", 4, kWrite | kFast, w | kAclFast, {1, 2, 1},
            doc("Moves a member from one set to another.", "1.0.0"), smove_command));
  struct AlgebraSpec {
    const char* name;
    const char* store;
    Algebra op;
    const char* summary;
  };
  static const AlgebraSpec kAlgebra[] = {
      {"sinter", "sinterstore", Algebra::kInter, "Returns the intersect of multiple sets."},
      {"sunion", "sunionstore", Algebra::kUnion, "Returns the union of multiple sets."},
      {"sdiff", "sdiffstore", Algebra::kDiff, "Returns the difference of multiple sets."}};
  for (const AlgebraSpec& a : kAlgebra) {
    Algebra op = a.op;
    t.add(cmd(a.name, -2, kReadonly, r | kAclSlow, all_keys,
              doc(a.summary, "1.0.0", "O(N) where N is the total number of elements in all given "
                                      "sets."),
              [op](CommandContext& ctx) { algebra_command(ctx, op); }));
    t.add(cmd(a.store, -3, kWrite | kDenyOom, w | kAclSlow, store_keys,
              doc("Stores the result of a set operation in a key.", "1.0.0",
                  "O(N) where N is the total number of elements in all given sets."),
              [op](CommandContext& ctx) { algebra_store_command(ctx, op); }));
  }
  t.add(cmd("sintercard", -3, kReadonly, r | kAclSlow, kNoKeys,
            doc("Returns the number of members of the intersect of multiple sets.", "7.0.0",
                "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
                "number of sets."),
            sintercard_command)).key_finder = keys_after_count(1);
  t.add(cmd("sscan", -3, kReadonly, r | kAclSlow, kOneKey,
            doc("Iterates over members of a set.", "2.8.0",
                "O(1) for every call. O(N) for a complete iteration."),
            sscan_command));
}

}  // namespace cachet::commands
