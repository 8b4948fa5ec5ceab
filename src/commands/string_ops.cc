// Commands that edit or inspect part of a string value: APPEND, STRLEN, counters, ranges, LCS.
#include <fmt/format.h>

#include <climits>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/strings.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

using store::Entry;
using store::Value;

void append_command(CommandContext& ctx) {
  store::Database& db = ctx.db();
  std::string_view key = ctx.arg(1), tail = ctx.arg(2);
  Entry* e = db.lookup(key, ctx.now_ms);
  size_t new_len;
  if (e == nullptr) {
    db.add(key, Value::raw_string(tail));
    new_len = tail.size();
  } else {
    if (!expect_string(ctx, e)) return;
    size_t len = e->value.string_length();
    if (len + tail.size() > static_cast<uint64_t>(ctx.engine.config.proto_max_bulk_len)) {
      return ctx.reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    }
    char* data = e->value.resize_raw(len + tail.size());
    std::memcpy(data + len, tail.data(), tail.size());
    new_len = len + tail.size();
  }
  ctx.engine.key_modified(ctx.session.db, key);
  ctx.engine.notify(kNotifyString, "append", ctx.session.db, key);
  ctx.reply.integer(static_cast<int64_t>(new_len));
}

void strlen_command(CommandContext& ctx) {
  Entry* e = ctx.db().lookup_read(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) return ctx.reply.integer(0);
  if (!expect_string(ctx, e)) return;
  ctx.reply.integer(static_cast<int64_t>(e->value.string_length()));
}

// INCR and friends: the current value must read as a 64-bit integer; the TTL is kept.
void incr_by(CommandContext& ctx, int64_t delta) {
  store::Database& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = db.lookup(key, ctx.now_ms);
  int64_t current = 0;
  if (e != nullptr) {
    if (!expect_string(ctx, e)) return;
    if (e->value.is_int()) {
      current = e->value.int_value();
    } else {
      char scratch[Value::kIntBufferSize];
      if (!parse_int64(e->value.str(scratch), &current)) {
        return ctx.reply.error(errors::kNotInteger);
      }
    }
  }
  if ((delta < 0 && current < 0 && delta < LLONG_MIN - current) ||
      (delta > 0 && current > 0 && delta > LLONG_MAX - current)) {
    return ctx.reply.error(errors::kOverflow);
  }
  int64_t result = current + delta;
  if (e == nullptr) {
    db.add(key, Value::integer(result));
  } else {
    e->value = Value::integer(result);
  }
  ctx.engine.key_modified(ctx.session.db, key);
  ctx.engine.notify(kNotifyString, "incrby", ctx.session.db, key);  // INCR and DECR too
  ctx.reply.integer(result);
}

void incrby_command(CommandContext& ctx, bool negate) {
  int64_t delta;
  if (!parse_int64(ctx.arg(2), &delta)) return ctx.reply.error(errors::kNotInteger);
  if (negate) {
    if (delta == LLONG_MIN) return ctx.reply.error("ERR decrement would overflow");
    delta = -delta;
  }
  incr_by(ctx, delta);
}

void incrbyfloat_command(CommandContext& ctx) {
  long double increment;
  if (!parse_long_double(ctx.arg(2), &increment)) return ctx.reply.error(errors::kNotFloat);
  store::Database& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = db.lookup(key, ctx.now_ms);
  long double current = 0;
  if (e != nullptr) {
    if (!expect_string(ctx, e)) return;
    char scratch[Value::kIntBufferSize];
    if (!parse_long_double(e->value.str(scratch), &current)) {
      return ctx.reply.error(errors::kNotFloat);
    }
  }
  long double result = current + increment;
  std::string text;
  if (std::isnan(result) || std::isinf(result) || !format_long_double(result, &text)) {
    return ctx.reply.error("ERR increment would produce NaN or Infinity");
  }
  if (e == nullptr) {
    db.add(key, Value::string(text));
  } else {
    e->value = Value::string(text);
  }
  ctx.engine.key_modified(ctx.session.db, key);
  ctx.engine.notify(kNotifyString, "incrbyfloat", ctx.session.db, key);
  // Recorded as the value it produced, so float formatting can never make a replay differ.
  ctx.engine.propagation.rewrite({"SET", key, text, "KEEPTTL"});
  ctx.reply.bulk(text);
}

void getrange_command(CommandContext& ctx) {
  int64_t start, end;
  if (!parse_int64(ctx.arg(2), &start) || !parse_int64(ctx.arg(3), &end)) {
    return ctx.reply.error(errors::kNotInteger);
  }
  Entry* e = ctx.db().lookup_read(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) return ctx.reply.bulk("");
  if (!expect_string(ctx, e)) return;
  char scratch[Value::kIntBufferSize];
  std::string_view s = e->value.str(scratch);
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return ctx.reply.bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return ctx.reply.bulk("");
  ctx.reply.bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void setrange_command(CommandContext& ctx) {
  int64_t offset;
  if (!parse_int64(ctx.arg(2), &offset)) return ctx.reply.error(errors::kNotInteger);
  if (offset < 0) return ctx.reply.error("ERR offset is out of range");
  std::string_view patch = ctx.arg(3);
  store::Database& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = db.lookup(key, ctx.now_ms);
  if (e != nullptr && !expect_string(ctx, e)) return;
  size_t len = e == nullptr ? 0 : e->value.string_length();
  if (patch.empty()) return ctx.reply.integer(static_cast<int64_t>(len));
  if (static_cast<uint64_t>(offset) + patch.size() >
      static_cast<uint64_t>(ctx.engine.config.proto_max_bulk_len)) {
    return ctx.reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  if (e == nullptr) e = db.add(key, Value::raw_string(""));
  size_t needed = std::max(len, static_cast<size_t>(offset) + patch.size());
  char* data = e->value.resize_raw(needed);
  std::memcpy(data + offset, patch.data(), patch.size());
  ctx.engine.key_modified(ctx.session.db, key);
  ctx.engine.notify(kNotifyString, "setrange", ctx.session.db, key);
  ctx.reply.integer(static_cast<int64_t>(needed));
}

// LCS by dynamic programming over a (n+1)x(m+1) table, then a walk back for the matches.
void lcs_command(CommandContext& ctx) {
  bool want_len = false, want_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (iequals(opt, "idx")) {
      want_idx = true;
    } else if (iequals(opt, "len")) {
      want_len = true;
    } else if (iequals(opt, "withmatchlen")) {
      with_match_len = true;
    } else if (iequals(opt, "minmatchlen") && i + 1 < ctx.argc()) {
      if (!parse_int64(ctx.arg(++i), &min_match_len)) return ctx.reply.error(errors::kNotInteger);
      if (min_match_len < 0) min_match_len = 0;
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  if (want_len && want_idx) {
    return ctx.reply.error("ERR If you want both the length and indexes, please just use IDX.");
  }
  std::string a, b;
  for (int k = 0; k < 2; ++k) {
    Entry* e = ctx.db().lookup_read(ctx.arg(1 + k), ctx.now_ms);
    if (e == nullptr) continue;
    if (e->value.type() != store::ValueType::kString) {
      return ctx.reply.error(
          "WRONGTYPE The specified keys must contain string values");
    }
    char scratch[Value::kIntBufferSize];
    (k == 0 ? a : b) = std::string(e->value.str(scratch));
  }
  const size_t n = a.size(), m = b.size();
  uint64_t cells = static_cast<uint64_t>(n + 1) * (m + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(ctx.engine.config.proto_max_bulk_len)) {
    return ctx.reply.error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  std::vector<uint32_t> dp(cells, 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return dp[i * (m + 1) + j]; };
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j)
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
  uint32_t total = at(n, m);
  if (want_len) return ctx.reply.integer(total);

  struct Match {
    size_t a_start, a_end, b_start, b_end;
  };
  std::vector<Match> matches;
  std::string result(total, '\0');
  size_t idx = total;
  size_t i = n, j = m;
  bool in_range = false;
  Match cur{};
  auto flush = [&]() {
    if (in_range && static_cast<int64_t>(cur.a_end - cur.a_start + 1) >= min_match_len)
      matches.push_back(cur);
    in_range = false;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      result[--idx] = a[i - 1];
      size_t ai = i - 1, bj = j - 1;
      if (in_range && cur.a_start == ai + 1 && cur.b_start == bj + 1) {
        cur.a_start = ai;
        cur.b_start = bj;
      } else {
        flush();
        cur = {ai, ai, bj, bj};
        in_range = true;
      }
      --i;
      --j;
    } else if (at(i - 1, j) > at(i, j - 1)) {
      flush();
      --i;
    } else {
      flush();
      --j;
    }
  }
  flush();
  if (!want_idx) return ctx.reply.bulk(result);
  ctx.reply.map(2);
  ctx.reply.bulk("matches");
  ctx.reply.array(static_cast<int64_t>(matches.size()));
  for (const Match& mt : matches) {
    ctx.reply.array(with_match_len ? 3 : 2);
    ctx.reply.array(2);
    ctx.reply.integer(static_cast<int64_t>(mt.a_start));
    ctx.reply.integer(static_cast<int64_t>(mt.a_end));
    ctx.reply.array(2);
    ctx.reply.integer(static_cast<int64_t>(mt.b_start));
    ctx.reply.integer(static_cast<int64_t>(mt.b_end));
    if (with_match_len) ctx.reply.integer(static_cast<int64_t>(mt.a_end - mt.a_start + 1));
  }
  ctx.reply.bulk("len");
  ctx.reply.integer(total);
}

}  // namespace

void register_string_op_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclString;
  const uint64_t w = kAclWrite | kAclString;
  t.add(cmd("append", 3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Appends a string to the value of a key. Creates the key if it doesn't "
                       "exist.",
             "2.0.0"},
            append_command));
  t.add(cmd("strlen", 2, kReadonly | kFast, r | kAclFast, kOneKey,
            {"string", "Returns the length of a string value.", "2.2.0"}, strlen_command));
  t.add(cmd("incr", 2, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Increments the integer value of a key by one. Uses 0 as initial value if "
                       "the key doesn't exist."},
            [](CommandContext& ctx) { incr_by(ctx, 1); }));
  t.add(cmd("decr", 2, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Decrements the integer value of a key by one. Uses 0 as initial value if "
                       "the key doesn't exist."},
            [](CommandContext& ctx) { incr_by(ctx, -1); }));
  t.add(cmd("incrby", 3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Increments the integer value of a key by a number. Uses 0 as initial "
                       "value if the key doesn't exist."},
            [](CommandContext& ctx) { incrby_command(ctx, false); }));
  t.add(cmd("decrby", 3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Decrements a number from the integer value of a key. Uses 0 as initial "
                       "value if the key doesn't exist."},
            [](CommandContext& ctx) { incrby_command(ctx, true); }));
  t.add(cmd("incrbyfloat", 3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            {"string", "Increment the floating point value of a key by a number. Uses 0 as "
                       "initial value if the key doesn't exist.",
             "2.6.0"},
            incrbyfloat_command));
  t.add(cmd("getrange", 4, kReadonly, r | kAclSlow, kOneKey,
            {"string", "Returns a substring of the string stored at a key.", "2.4.0",
             "O(N) where N is the length of the returned string."},
            getrange_command));
  t.add(cmd("substr", 4, kReadonly, r | kAclSlow, kOneKey,
            {"string", "Returns a substring from a string value.", "1.0.0",
             "O(N) where N is the length of the returned string."},
            getrange_command));
  t.add(cmd("setrange", 4, kWrite | kDenyOom, w | kAclSlow, kOneKey,
            {"string", "Overwrites a part of a string value with another by an offset. Creates "
                       "the key if it doesn't exist.",
             "2.2.0"},
            setrange_command));
  t.add(cmd("lcs", -3, kReadonly, r | kAclSlow, {1, 2, 1},
            {"string", "Finds the longest common substring.", "7.0.0",
             "O(N*M) where N and M are the lengths of s1 and s2, respectively"},
            lcs_command));
}

}  // namespace cachet::commands
