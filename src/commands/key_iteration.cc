// Commands that walk the keyspace: KEYS, SCAN, RANDOMKEY.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "common/glob.h"
#include "common/strings.h"
#include "commands/collection_access.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

using store::Entry;

bool live(store::Database& db, const Entry* e, int64_t now_ms) {
  int64_t when = db.expire_at(e);
  return when == -1 || when >= now_ms;
}

void keys_command(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  store::Database& db = ctx.db();
  std::vector<const Entry*> found;
  db.dict().for_each([&](Entry* e) {
    if ((all || glob_match(pattern, e->key_view())) && live(db, e, ctx.now_ms)) found.push_back(e);
  });
  ctx.reply.array(static_cast<int64_t>(found.size()));
  for (const Entry* e : found) ctx.reply.bulk(e->key_view());
}

void scan_command(CommandContext& ctx) {
  uint64_t cursor;
  if (!parse_scan_cursor(ctx, ctx.arg(1), &cursor)) return;
  std::string_view pattern;
  bool use_pattern = false;
  int64_t count = 10;
  std::string_view type_filter;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) return ctx.reply.error(errors::kSyntax);
    std::string_view opt = ctx.arg(i), value = ctx.arg(i + 1);
    if (iequals(opt, "count")) {
      if (!parse_int64(value, &count)) return ctx.reply.error(errors::kNotInteger);
      if (count < 1) return ctx.reply.error(errors::kSyntax);
    } else if (iequals(opt, "match")) {
      pattern = value;
      use_pattern = !(pattern == "*");
    } else if (iequals(opt, "type")) {
      type_filter = value;
      static constexpr std::string_view kTypes[] = {"string", "list", "set", "zset", "hash",
                                                    "stream"};
      bool known = false;
      for (std::string_view t : kTypes) known = known || iequals(t, value);
      if (!known) return ctx.reply.error(fmt::format("ERR unknown type name '{}'", value));
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  store::Database& db = ctx.db();
  std::vector<const Entry*> found;
  // As Valkey: keep stepping until COUNT elements were visited or ten times that many buckets.
  int64_t max_steps = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  do {
    cursor = db.dict().scan(cursor, [&](Entry* e) { found.push_back(e); });
  } while (cursor != 0 && --max_steps > 0 && static_cast<int64_t>(found.size()) < count);
  std::vector<std::string_view> keys;
  std::vector<std::string> expired;
  keys.reserve(found.size());
  for (const Entry* e : found) {
    if (!live(db, e, ctx.now_ms)) {
      expired.emplace_back(e->key_view());  // removed below, as Valkey's SCAN does
      continue;
    }
    if (use_pattern && !glob_match(pattern, e->key_view())) continue;
    if (!type_filter.empty() && !iequals(type_filter, store::type_name(e->value.type()))) continue;
    keys.push_back(e->key_view());
  }
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(cursor));
  ctx.reply.array(static_cast<int64_t>(keys.size()));
  for (std::string_view k : keys) ctx.reply.bulk(k);
  for (const std::string& k : expired) db.lookup(k, ctx.now_ms, false);
}

void randomkey_command(CommandContext& ctx) {
  store::Database& db = ctx.db();
  // Expired keys met on the way are removed; give up after many tries when only they remain.
  for (int tries = 0; tries < 100 && db.size() > 0; ++tries) {
    Entry* e = db.dict().random_entry(random_u64());
    if (e == nullptr) break;
    if (live(db, e, ctx.now_ms)) return ctx.reply.bulk(e->key_view());
    std::string key(e->key_view());
    db.lookup(key, ctx.now_ms, false);  // expires it
  }
  ctx.reply.null();
}

}  // namespace

void register_key_iteration_commands(CommandTable& t) {
  const uint64_t kr = kAclKeyspace | kAclRead;
  t.add(cmd("keys", 2, kReadonly, kr | kAclSlow | kAclDangerous, kNoKeys,
            {"generic", "Returns all key names that match a pattern.", "1.0.0",
             "O(N) with N being the number of keys in the database"},
            keys_command));
  t.add(cmd("scan", -2, kReadonly, kr | kAclSlow, kNoKeys,
            {"generic", "Iterates over the key names in the database.", "2.8.0",
             "O(1) for every call. O(N) for a complete iteration."},
            scan_command));
  t.add(cmd("randomkey", 1, kReadonly, kr | kAclSlow, kNoKeys,
            {"generic", "Returns a random key name from the database."}, randomkey_command));
}

}  // namespace cachet::commands
