// Hash commands: HSET HSETNX HGET HMSET HMGET HGETALL HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
#include <fmt/format.h>

#include <climits>
#include <cmath>

#include "common/strings.h"
#include "commands/collection_access.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"
#include "store/hash_object.h"

namespace cachet::commands {
namespace {

using store::Entry;
using store::HashObject;

store::CompactLimits hash_limits(const CommandContext& ctx) {
  return {static_cast<size_t>(ctx.engine.config.hash_max_listpack_entries),
          static_cast<size_t>(ctx.engine.config.hash_max_listpack_value)};
}

HashObject* find_hash(CommandContext& ctx, std::string_view key, bool* wrongtype) {
  Entry* e = find_typed(ctx, key, store::ValueType::kHash, wrongtype);
  return e == nullptr ? nullptr : e->value.hash_object();
}

// The hash at `key`, created empty when absent; nullptr after a WRONGTYPE reply.
HashObject* hash_for_write(CommandContext& ctx, std::string_view key) {
  Entry* e = typed_for_write(ctx, key, store::ValueType::kHash,
                             [] { return store::Value::hash(std::make_unique<HashObject>()); });
  return e == nullptr ? nullptr : e->value.hash_object();
}

void delete_if_empty(CommandContext& ctx, std::string_view key, HashObject* h) {
  if (h->size() == 0) ctx.db().remove(key);
}

bool pairs_arity_ok(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return true;
  ctx.reply.error(
      fmt::format("ERR wrong number of arguments for '{}' command", to_lower(ctx.arg(0))));
  return false;
}

void hset_generic(CommandContext& ctx, bool reply_ok) {
  if (!pairs_arity_ok(ctx)) return;
  HashObject* h = hash_for_write(ctx, ctx.arg(1));
  if (h == nullptr) return;
  int64_t created = 0;
  store::CompactLimits limits = hash_limits(ctx);
  for (size_t i = 2; i < ctx.argc(); i += 2)
    if (h->set(ctx.arg(i), ctx.arg(i + 1), limits)) ++created;
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1), (ctx.argc() - 2) / 2);
  ctx.engine.notify(kNotifyHash, "hset", ctx.session.db, ctx.arg(1));  // HMSET too
  reply_ok ? ctx.reply.ok() : ctx.reply.integer(created);
}

void hsetnx_command(CommandContext& ctx) {
  HashObject* h = hash_for_write(ctx, ctx.arg(1));
  if (h == nullptr) return;
  if (h->contains(ctx.arg(2))) return ctx.reply.integer(0);
  h->set(ctx.arg(2), ctx.arg(3), hash_limits(ctx));
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.engine.notify(kNotifyHash, "hset", ctx.session.db, ctx.arg(1));
  ctx.reply.integer(1);
}

void hget_command(CommandContext& ctx) {
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::optional<std::string_view> v = h ? h->get(ctx.arg(2)) : std::nullopt;
  v ? ctx.reply.bulk(*v) : ctx.reply.null();
}

void hmget_command(CommandContext& ctx) {
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.array(static_cast<int64_t>(ctx.argc() - 2));
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<std::string_view> v = h ? h->get(ctx.arg(i)) : std::nullopt;
    v ? ctx.reply.bulk(*v) : ctx.reply.null();
  }
}

enum class Part { kFields, kValues, kBoth };

void hgetall_generic(CommandContext& ctx, Part part) {
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  int64_t n = h ? static_cast<int64_t>(h->size()) : 0;
  part == Part::kBoth ? ctx.reply.map(n) : ctx.reply.array(n);
  if (h == nullptr) return;
  h->for_each([&](std::string_view f, std::string_view v) {
    if (part != Part::kValues) ctx.reply.bulk(f);
    if (part != Part::kFields) ctx.reply.bulk(v);
  });
}

void hdel_command(CommandContext& ctx) {
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  int64_t removed = 0;
  if (h != nullptr) {
    for (size_t i = 2; i < ctx.argc(); ++i)
      if (h->erase(ctx.arg(i))) ++removed;
    if (removed > 0) {
      ctx.engine.key_modified(ctx.session.db, ctx.arg(1), static_cast<uint64_t>(removed));
      ctx.engine.notify(kNotifyHash, "hdel", ctx.session.db, ctx.arg(1));
      delete_if_emptied(ctx, ctx.arg(1), h->size());
    }
  }
  ctx.reply.integer(removed);
}

void hlen_command(CommandContext& ctx) {
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.integer(h ? static_cast<int64_t>(h->size()) : 0);
}

void hstrlen_command(CommandContext& ctx) {
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::optional<std::string_view> v = h ? h->get(ctx.arg(2)) : std::nullopt;
  ctx.reply.integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void hexists_command(CommandContext& ctx) {
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply.integer(h && h->contains(ctx.arg(2)) ? 1 : 0);
}

void hincrby_command(CommandContext& ctx) {
  int64_t delta;
  if (!parse_int64(ctx.arg(3), &delta)) return ctx.reply.error(errors::kNotInteger);
  HashObject* h = hash_for_write(ctx, ctx.arg(1));
  if (h == nullptr) return;
  int64_t current = 0;
  if (std::optional<std::string_view> v = h->get(ctx.arg(2))) {
    if (!parse_int64(*v, &current)) {
      delete_if_empty(ctx, ctx.arg(1), h);
      return ctx.reply.error("ERR hash value is not an integer");
    }
  }
  if ((delta < 0 && current < 0 && delta < LLONG_MIN - current) ||
      (delta > 0 && current > 0 && delta > LLONG_MAX - current)) {
    delete_if_empty(ctx, ctx.arg(1), h);
    return ctx.reply.error(errors::kOverflow);
  }
  int64_t result = current + delta;
  h->set(ctx.arg(2), int64_to_string(result), hash_limits(ctx));
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.engine.notify(kNotifyHash, "hincrby", ctx.session.db, ctx.arg(1));
  ctx.reply.integer(result);
}

void hincrbyfloat_command(CommandContext& ctx) {
  long double delta;
  if (!parse_long_double(ctx.arg(3), &delta)) return ctx.reply.error(errors::kNotFloat);
  if (std::isnan(delta) || std::isinf(delta)) return ctx.reply.error("ERR value is NaN or Infinity");
  HashObject* h = hash_for_write(ctx, ctx.arg(1));
  if (h == nullptr) return;
  long double current = 0;
  if (std::optional<std::string_view> v = h->get(ctx.arg(2))) {
    if (!parse_long_double(*v, &current)) {
      delete_if_empty(ctx, ctx.arg(1), h);
      return ctx.reply.error("ERR hash value is not a float");
    }
  }
  std::string text;
  long double result = current + delta;
  if (std::isnan(result) || std::isinf(result) || !format_long_double(result, &text)) {
    delete_if_empty(ctx, ctx.arg(1), h);
    return ctx.reply.error("ERR increment would produce NaN or Infinity");
  }
  h->set(ctx.arg(2), text, hash_limits(ctx));
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.engine.propagation.rewrite({"HSET", ctx.arg(1), ctx.arg(2), text});
  ctx.engine.notify(kNotifyHash, "hincrbyfloat", ctx.session.db, ctx.arg(1));
  ctx.reply.bulk(text);
}

void hrandfield_command(CommandContext& ctx) {
  bool with_values = false;
  int64_t count = 0;
  bool has_count = ctx.argc() >= 3;
  if (has_count) {
    if (!parse_int64(ctx.arg(2), &count)) return ctx.reply.error(errors::kNotInteger);
    if (ctx.argc() == 4) {
      if (!iequals(ctx.arg(3), "withvalues")) return ctx.reply.error(errors::kSyntax);
      with_values = true;
    } else if (ctx.argc() > 4) {
      return ctx.reply.error(errors::kSyntax);
    }
    if (count < -LONG_MAX / 2 || count > LONG_MAX / 2) {
      return ctx.reply.error("ERR value is out of range");
    }
  }
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (!has_count) {
    if (h == nullptr) return ctx.reply.null();
    return ctx.reply.bulk(h->random_pair(random_u64()).first);
  }
  auto emit = [&](std::pair<std::string_view, std::string_view> p) {
    if (with_values && ctx.reply.protocol() >= 3) ctx.reply.array(2);
    ctx.reply.bulk(p.first);
    if (with_values) ctx.reply.bulk(p.second);
  };
  if (h == nullptr || count == 0) return ctx.reply.array(0);
  int64_t per_item = with_values && ctx.reply.protocol() < 3 ? 2 : 1;
  reply_random_sample(
      ctx, count, h->size(), per_item, [&] { emit(h->random_pair(random_u64())); },
      [&](auto take) {
        h->for_each([&](std::string_view f, std::string_view v) {
          if (take()) emit({f, v});
        });
      });
}

void hscan_command(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions options;
  if (!parse_scan_cursor(ctx, ctx.arg(2), &cursor) ||
      !parse_scan_options(ctx, 3, "novalues", &options)) {
    return;
  }
  bool wrongtype;
  HashObject* h = find_hash(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::vector<std::pair<std::string_view, std::string_view>> found;
  if (h != nullptr) {
    cursor = scan_until(
        cursor, options.count,
        [&](uint64_t at) {
          return h->scan(at, [&](std::string_view f, std::string_view v) {
            if (options.matches(f)) found.emplace_back(f, v);
          });
        },
        [&] { return found.size(); });
  } else {
    cursor = 0;
  }
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(cursor));
  ctx.reply.array(static_cast<int64_t>(found.size() * (options.members_only ? 1 : 2)));
  for (const auto& [f, v] : found) {
    ctx.reply.bulk(f);
    if (!options.members_only) ctx.reply.bulk(v);
  }
}

}  // namespace

void register_hash_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclHash;
  const uint64_t w = kAclWrite | kAclHash;
  auto doc = [](const char* summary, const char* since, const char* complexity = "O(1)") {
    return Doc{"hash", summary, since, complexity};
  };
  t.add(cmd("hset", -4, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Creates or modifies the value of a field in a hash.", "2.0.0",
                "O(1) for each field/value pair added"),
            [](CommandContext& ctx) { hset_generic(ctx, false); }));
  t.add(cmd("hmset", -4, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Sets the values of multiple fields.", "2.0.0",
                "O(N) where N is the number of fields being set."),
            [](CommandContext& ctx) { hset_generic(ctx, true); }));
  t.add(cmd("hsetnx", 4, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Sets the value of a field in a hash only when the field doesn't exist.",
                "2.0.0"),
            hsetnx_command));
  t.add(cmd("hget", 3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the value of a field in a hash.", "2.0.0"), hget_command));
  t.add(cmd("hmget", -3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the values of all fields in a hash.", "2.0.0",
                "O(N) where N is the number of fields being requested."),
            hmget_command));
  t.add(cmd("hgetall", 2, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns all fields and values in a hash.", "2.0.0",
                "O(N) where N is the size of the hash."),
            [](CommandContext& ctx) { hgetall_generic(ctx, Part::kBoth); }));
  t.add(cmd("hkeys", 2, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns all fields in a hash.", "2.0.0", "O(N) where N is the size of the hash."),
            [](CommandContext& ctx) { hgetall_generic(ctx, Part::kFields); }));
  t.add(cmd("hvals", 2, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns all values in a hash.", "2.0.0", "O(N) where N is the size of the hash."),
            [](CommandContext& ctx) { hgetall_generic(ctx, Part::kValues); }));
  t.add(cmd("hdel", -3, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Deletes one or more fields and their values from a hash. Deletes the hash if "
                "no fields remain.",
                "2.0.0", "O(N) where N is the number of fields to be removed."),
            hdel_command));
  t.add(cmd("hlen", 2, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the number of fields in a hash.", "2.0.0"), hlen_command));
  t.add(cmd("hstrlen", 3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the length of the value of a field.", "3.2.0"), hstrlen_command));
  t.add(cmd("hexists", 3, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Determines whether a field exists in a hash.", "2.0.0"), hexists_command));
  t.add(cmd("hincrby", 4, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Increments the integer value of a field in a hash by a number. Uses 0 as "
                "initial value if the field doesn't exist.",
                "2.0.0"),
            hincrby_command));
  t.add(cmd("hincrbyfloat", 4, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Increments the floating point value of a field by a number. Uses 0 as "
                "initial value if the field doesn't exist.",
                "2.6.0"),
            hincrbyfloat_command));
  t.add(cmd("hrandfield", -2, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns one or more random fields from a hash.", "6.2.0",
                "O(N) where N is the number of fields returned"),
            hrandfield_command));
  t.add(cmd("hscan", -3, kReadonly, r | kAclSlow, kOneKey,
            doc("Iterates over fields and values of a hash.", "2.8.0",
                "O(1) for every call. O(N) for a complete iteration."),
            hscan_command));
}

}  // namespace cachet::commands
