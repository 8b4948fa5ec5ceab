#include "commands/zset_access.h"

#include <utility>

#include "commands/errors.h"
#include "common/strings.h"

namespace cachet::commands {

using store::ZSetObject;

store::ZSetLimits zset_limits(const CommandContext& ctx) {
  const config::ServerConfig& c = ctx.engine.config;
  return {static_cast<size_t>(c.zset_max_listpack_entries),
          static_cast<size_t>(c.zset_max_listpack_value)};
}

ZSetObject* find_zset(CommandContext& ctx, std::string_view key, bool* wrongtype, bool read) {
  store::Entry* e = find_typed(ctx, key, store::ValueType::kZSet, wrongtype, read);
  return e == nullptr ? nullptr : e->value.zset_object();
}

void store_zset(CommandContext& ctx, std::string_view key, const ScoredMembers& members,
                std::string_view event) {
  if (members.empty()) {
    if (ctx.db().lookup(key, ctx.now_ms) != nullptr) {  // a key that expired is not deleted
      ctx.db().remove(key);
      ctx.engine.key_modified(ctx.session.db, key);
      ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, key);
    }
    return;
  }
  size_t longest = 0;
  for (const auto& [m, s] : members) longest = std::max(longest, m.size());
  store::ZSetLimits limits = zset_limits(ctx);
  auto zset = std::make_unique<ZSetObject>(members.size(), longest, limits);
  for (const auto& [m, s] : members) zset->set(m, s, limits);
  ctx.db().set(key, store::Value::zset(std::move(zset)), false);
  ctx.engine.key_modified(ctx.session.db, key);
  ctx.engine.notify(kNotifyZset, event, ctx.session.db, key);
}

bool parse_score(CommandContext& ctx, std::string_view text, double* score) {
  if (parse_double(text, score)) return true;
  ctx.reply.error(errors::kNotFloat);
  return false;
}

void reply_member_score(CommandContext& ctx, std::string_view member, double score,
                        bool with_score) {
  if (!with_score) return ctx.reply.bulk(member);
  if (ctx.session.protocol >= 3) ctx.reply.array(2);
  ctx.reply.bulk(member);
  ctx.reply.double_value(score);
}

bool parse_score_bound(std::string_view text, ScoreBound* bound) {
  bound->exclusive = !text.empty() && text[0] == '(';
  if (bound->exclusive) text.remove_prefix(1);
  // parse_double refuses NaN, which Valkey refuses here too.
  return parse_double(text, &bound->value);
}

RankRange score_ranks(const ZSetObject& z, const ScoreBound& min, const ScoreBound& max) {
  RankRange r;
  r.from = z.count_before([&](double s, std::string_view) {
    return s < min.value || (min.exclusive && s == min.value);
  });
  r.to = z.count_before([&](double s, std::string_view) {
    return s < max.value || (!max.exclusive && s == max.value);
  });
  return r;
}

bool parse_lex_bound(std::string_view text, LexBound* bound) {
  if (text == "-" || text == "+") {
    bound->infinity = text == "-" ? -1 : 1;
    return true;
  }
  if (text.empty() || (text[0] != '[' && text[0] != '(')) return false;
  bound->exclusive = text[0] == '(';
  bound->value.assign(text.substr(1));
  return true;
}

RankRange lex_ranks(const ZSetObject& z, const LexBound& min, const LexBound& max) {
  auto position = [&](const LexBound& b, bool is_max) -> size_t {
    if (b.infinity != 0) return b.infinity < 0 ? 0 : z.size();
    // Lower bound: skip members below it (and equal when exclusive). Upper bound: count
    // members below it (and equal when inclusive).
    bool skip_equal = is_max ? !b.exclusive : b.exclusive;
    return z.count_before([&](double, std::string_view m) {
      return m < b.value || (skip_equal && m == b.value);
    });
  };
  return {position(min, false), position(max, true)};
}

RankRange index_ranks(const ZSetObject& z, int64_t start, int64_t stop) {
  size_t from, to;
  if (!clamp_index_range(start, stop, z.size(), &from, &to)) return {};
  return {from, to + 1};
}

}  // namespace cachet::commands
