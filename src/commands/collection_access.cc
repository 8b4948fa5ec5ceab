// The helpers collection_access.h declares: SCAN cursors and options, random picks, and the
// arguments of the multi-key pop commands.
#include "commands/collection_access.h"

#include <random>

#include "common/glob.h"
#include "common/strings.h"

namespace cachet::commands {

bool parse_scan_cursor(CommandContext& ctx, std::string_view text, uint64_t* cursor) {
  uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 20;
  for (char c : text) {
    unsigned d = static_cast<unsigned char>(c) - '0';
    if (!ok || d > 9 || v > (UINT64_MAX - d) / 10) {
      ok = false;
      break;
    }
    v = v * 10 + d;
  }
  if (!ok) {
    ctx.reply.error("ERR invalid cursor");
    return false;
  }
  *cursor = v;
  return true;
}

uint64_t random_u64() {
  static std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

bool ScanOptions::matches(std::string_view item) const {
  return pattern.empty() || pattern == "*" || glob_match(pattern, item);
}

bool parse_scan_options(CommandContext& ctx, size_t first, std::string_view flag,
                        ScanOptions* options) {
  for (size_t i = first; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (!flag.empty() && iequals(opt, flag)) {
      options->members_only = true;
    } else if (i + 1 < ctx.argc() && iequals(opt, "count")) {
      if (!parse_int64(ctx.arg(++i), &options->count)) {
        ctx.reply.error(errors::kNotInteger);
        return false;
      }
      if (options->count < 1) {
        ctx.reply.error(errors::kSyntax);
        return false;
      }
    } else if (i + 1 < ctx.argc() && iequals(opt, "match")) {
      options->pattern = ctx.arg(++i);
    } else {
      ctx.reply.error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

bool clamp_index_range(int64_t start, int64_t stop, size_t size, size_t* from, size_t* to) {
  auto n = static_cast<int64_t>(size);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *from = static_cast<size_t>(start);
  *to = static_cast<size_t>(stop);
  return true;
}

void delete_if_emptied(CommandContext& ctx, std::string_view key, size_t size) {
  if (size > 0) return;
  ctx.db().remove(key);
  ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, key);
}

bool parse_mpop_args(CommandContext& ctx, size_t numkeys_at, std::string_view side_a,
                     std::string_view side_b, MpopArgs* out) {
  int64_t numkeys;
  if (!parse_int64(ctx.arg(numkeys_at), &numkeys) || numkeys <= 0) {
    ctx.reply.error("ERR numkeys should be greater than 0");
    return false;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc() - numkeys_at - 1)) {
    ctx.reply.error(errors::kSyntax);
    return false;
  }
  out->first_key = numkeys_at + 1;
  out->end_key = out->first_key + static_cast<size_t>(numkeys);
  size_t side_at = out->end_key;
  if (side_at >= ctx.argc()) {
    ctx.reply.error(errors::kSyntax);
    return false;
  }
  out->side_a = iequals(ctx.arg(side_at), side_a);
  if (!out->side_a && !iequals(ctx.arg(side_at), side_b)) {
    ctx.reply.error(errors::kSyntax);
    return false;
  }
  out->count = 1;
  if (side_at + 1 < ctx.argc()) {
    if (side_at + 3 != ctx.argc() || !iequals(ctx.arg(side_at + 1), "count")) {
      ctx.reply.error(errors::kSyntax);
      return false;
    }
    if (!parse_int64(ctx.arg(side_at + 2), &out->count) || out->count <= 0) {
      ctx.reply.error("ERR count should be greater than 0");
      return false;
    }
  }
  return true;
}

}  // namespace cachet::commands
