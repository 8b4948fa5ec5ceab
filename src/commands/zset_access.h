#pragma once
// What the sorted-set command files share: finding a sorted set, the configured limits, score
// replies, and the three kinds of range (index, score, lex) turned into rank ranges.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/collection_access.h"
#include "commands/context.h"
#include "store/zset_object.h"

namespace cachet::commands {

store::ZSetLimits zset_limits(const CommandContext& ctx);

store::ZSetObject* find_zset(CommandContext& ctx, std::string_view key, bool* wrongtype,
                             bool read = true);

// Members with their scores, as the STORE commands compute them.
using ScoredMembers = std::vector<std::pair<std::string, double>>;

// The STORE commands' ending: `members` become the sorted set at `key` (in the form their
// count calls for), replacing what is there, announced as `event`; an empty result deletes
// the key instead (announced as "del" when there was one).
void store_zset(CommandContext& ctx, std::string_view key, const ScoredMembers& members,
                std::string_view event);

// A score argument as ZADD reads it; false after "value is not a valid float".
bool parse_score(CommandContext& ctx, std::string_view text, double* score);

// Members with scores: RESP3 nests each pair, RESP2 flattens, as Valkey replies.
void reply_member_score(CommandContext& ctx, std::string_view member, double score,
                        bool with_score);

// A half-open span of ranks [from, to) in ascending order.
struct RankRange {
  size_t from = 0;
  size_t to = 0;
  size_t size() const { return to > from ? to - from : 0; }
};

// "min"/"max" of ZRANGEBYSCORE: "(1.5" is exclusive, -inf/+inf allowed.
struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};
bool parse_score_bound(std::string_view text, ScoreBound* bound);
RankRange score_ranks(const store::ZSetObject& z, const ScoreBound& min, const ScoreBound& max);

// "min"/"max" of ZRANGEBYLEX: "[a" inclusive, "(a" exclusive, "-" and "+" the ends.
struct LexBound {
  std::string value;
  bool exclusive = false;
  int infinity = 0;  // -1 for "-", +1 for "+"
};
bool parse_lex_bound(std::string_view text, LexBound* bound);
RankRange lex_ranks(const store::ZSetObject& z, const LexBound& min, const LexBound& max);

// ZRANGE-style start/stop indexes (negative from the end), clamped to the set.
RankRange index_ranks(const store::ZSetObject& z, int64_t start, int64_t stop);

}  // namespace cachet::commands
