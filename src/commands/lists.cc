// List commands (non-blocking): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
// LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP.
#include <fmt/format.h>

#include <climits>
#include <string>
#include <vector>

#include "common/strings.h"
#include "commands/block_request.h"
#include "commands/collection_access.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"
#include "store/list_object.h"

namespace cachet::commands {
namespace {

using store::Entry;
using store::ListObject;

ListObject* find_list(CommandContext& ctx, std::string_view key, bool* wrongtype) {
  Entry* e = find_typed(ctx, key, store::ValueType::kList, wrongtype);
  if (e == nullptr) return nullptr;
  ListObject* l = e->value.list_object();
  l->set_limit(ctx.engine.config.list_max_listpack_size);
  return l;
}

ListObject* list_for_write(CommandContext& ctx, std::string_view key) {
  int64_t limit = ctx.engine.config.list_max_listpack_size;
  Entry* e = typed_for_write(ctx, key, store::ValueType::kList, [limit] {
    return store::Value::list(std::make_unique<ListObject>(limit));
  });
  if (e == nullptr) return nullptr;
  ListObject* l = e->value.list_object();
  l->set_limit(limit);
  return l;
}

// After elements left the list: the command's event, then the key's deletion if it emptied.
void after_removal(CommandContext& ctx, std::string_view key, ListObject* l,
                   std::string_view event) {
  ctx.engine.notify(kNotifyList, event, ctx.session.db, key);
  delete_if_emptied(ctx, key, l->size());
  ctx.engine.key_modified(ctx.session.db, key);
}

std::string_view pop_event(bool front) { return front ? "lpop" : "rpop"; }
std::string_view push_event(bool front) { return front ? "lpush" : "rpush"; }

void push_generic(CommandContext& ctx, bool front, bool only_existing) {
  if (only_existing) {
    bool wrongtype;
    if (find_list(ctx, ctx.arg(1), &wrongtype) == nullptr) {
      if (!wrongtype) ctx.reply.integer(0);
      return;
    }
  }
  ListObject* l = list_for_write(ctx, ctx.arg(1));
  if (l == nullptr) return;
  for (size_t i = 2; i < ctx.argc(); ++i) front ? l->push_front(ctx.arg(i)) : l->push_back(ctx.arg(i));
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1), ctx.argc() - 2);
  ctx.engine.notify(kNotifyList, push_event(front), ctx.session.db, ctx.arg(1));
  ctx.reply.integer(static_cast<int64_t>(l->size()));
}

void pop_generic(CommandContext& ctx, bool front) {
  int64_t count = 1;
  bool has_count = ctx.argc() == 3;
  if (ctx.argc() > 3) {
    return ctx.reply.error(
        fmt::format("ERR wrong number of arguments for '{}' command", front ? "lpop" : "rpop"));
  }
  if (has_count && (!parse_int64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply.error("ERR value is out of range, must be positive");
  }
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (l == nullptr) return has_count ? ctx.reply.null_array() : ctx.reply.null();
  if (!has_count) {
    std::string v = front ? l->pop_front() : l->pop_back();
    ctx.reply.bulk(v);
  } else {
    int64_t n = std::min<int64_t>(count, static_cast<int64_t>(l->size()));
    ctx.reply.array(n);
    for (int64_t i = 0; i < n; ++i) ctx.reply.bulk(front ? l->pop_front() : l->pop_back());
    if (n == 0) return;
  }
  after_removal(ctx, ctx.arg(1), l, pop_event(front));
}

void lrange_command(CommandContext& ctx) {
  int64_t start, stop;
  if (!parse_int64(ctx.arg(2), &start) || !parse_int64(ctx.arg(3), &stop)) {
    return ctx.reply.error(errors::kNotInteger);
  }
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  size_t from, to;
  if (l == nullptr || !clamp_index_range(start, stop, l->size(), &from, &to)) return ctx.reply.array(0);
  ctx.reply.array(static_cast<int64_t>(to - from + 1));
  l->for_range(from, to, [&](std::string_view s) {
    ctx.reply.bulk(s);
    return true;
  });
}

bool resolve_index(int64_t index, size_t size, size_t* out) {
  int64_t n = static_cast<int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  *out = static_cast<size_t>(index);
  return true;
}

void lindex_command(CommandContext& ctx) {
  int64_t index;
  if (!parse_int64(ctx.arg(2), &index)) return ctx.reply.error(errors::kNotInteger);
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  size_t i;
  if (l == nullptr || !resolve_index(index, l->size(), &i)) return ctx.reply.null();
  ctx.reply.bulk(l->at(i));
}

void lset_command(CommandContext& ctx) {
  int64_t index;
  if (!parse_int64(ctx.arg(2), &index)) return ctx.reply.error(errors::kNotInteger);
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (l == nullptr) return ctx.reply.error(errors::kNoSuchKey);
  size_t i;
  if (!resolve_index(index, l->size(), &i)) return ctx.reply.error("ERR index out of range");
  l->set(i, ctx.arg(3));
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.engine.notify(kNotifyList, "lset", ctx.session.db, ctx.arg(1));
  ctx.reply.ok();
}

void linsert_command(CommandContext& ctx) {
  bool after;
  if (iequals(ctx.arg(2), "after")) {
    after = true;
  } else if (iequals(ctx.arg(2), "before")) {
    after = false;
  } else {
    return ctx.reply.error(errors::kSyntax);
  }
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (l == nullptr) return ctx.reply.integer(0);
  if (!l->insert(ctx.arg(3), ctx.arg(4), after)) return ctx.reply.integer(-1);
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.engine.notify(kNotifyList, "linsert", ctx.session.db, ctx.arg(1));
  ctx.reply.integer(static_cast<int64_t>(l->size()));
}

void lrem_command(CommandContext& ctx) {
  int64_t count;
  if (!parse_int64(ctx.arg(2), &count)) return ctx.reply.error(errors::kNotInteger);
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (l == nullptr) return ctx.reply.integer(0);
  size_t removed = l->remove(ctx.arg(3), count);
  if (removed > 0) after_removal(ctx, ctx.arg(1), l, "lrem");
  ctx.reply.integer(static_cast<int64_t>(removed));
}

void ltrim_command(CommandContext& ctx) {
  int64_t start, stop;
  if (!parse_int64(ctx.arg(2), &start) || !parse_int64(ctx.arg(3), &stop)) {
    return ctx.reply.error(errors::kNotInteger);
  }
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (l == nullptr) return ctx.reply.ok();
  size_t from, to;
  ctx.engine.notify(kNotifyList, "ltrim", ctx.session.db, ctx.arg(1));
  if (!clamp_index_range(start, stop, l->size(), &from, &to)) {
    ctx.db().remove(ctx.arg(1));
    ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, ctx.arg(1));
  } else if (from != 0 || to != l->size() - 1) {
    l->trim(from, to);
  }
  ctx.engine.key_modified(ctx.session.db, ctx.arg(1));
  ctx.reply.ok();
}

void lpos_command(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) return ctx.reply.error(errors::kSyntax);
    int64_t v;
    if (!parse_int64(ctx.arg(i + 1), &v)) return ctx.reply.error(errors::kNotInteger);
    if (iequals(ctx.arg(i), "rank")) {
      if (v == LLONG_MIN) return ctx.reply.error("ERR value is out of range");
      if (v == 0) {
        return ctx.reply.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
      rank = v;
    } else if (iequals(ctx.arg(i), "count")) {
      if (v < 0) return ctx.reply.error("ERR COUNT can't be negative");
      count = v;
    } else if (iequals(ctx.arg(i), "maxlen")) {
      if (v < 0) return ctx.reply.error("ERR MAXLEN can't be negative");
      maxlen = v;
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  bool wrongtype;
  ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  std::vector<int64_t> matches;
  if (l != nullptr) {
    int64_t n = static_cast<int64_t>(l->size());
    int64_t skip = (rank > 0 ? rank : -rank) - 1;
    int64_t wanted = count == -1 ? 1 : count;  // COUNT 0: all matches
    int64_t scanned = 0;
    for (int64_t k = 0; k < n; ++k) {
      if (maxlen > 0 && scanned++ >= maxlen) break;
      int64_t idx = rank > 0 ? k : n - 1 - k;
      if (l->at(static_cast<size_t>(idx)) != ctx.arg(2)) continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      matches.push_back(idx);
      if (wanted != 0 && static_cast<int64_t>(matches.size()) >= wanted) break;
    }
  }
  if (count == -1) return matches.empty() ? ctx.reply.null() : ctx.reply.integer(matches[0]);
  ctx.reply.array(static_cast<int64_t>(matches.size()));
  for (int64_t m : matches) ctx.reply.integer(m);
}

bool parse_side(std::string_view s, bool* left) {
  if (iequals(s, "left")) {
    *left = true;
  } else if (iequals(s, "right")) {
    *left = false;
  } else {
    return false;
  }
  return true;
}

// Moves one element; false (and no reply) when the source is empty, for the caller to answer
// null or block.
bool move_generic(CommandContext& ctx, bool from_left, bool to_left) {
  bool wrongtype;
  ListObject* src = find_list(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return true;
  if (src == nullptr) return false;
  Entry* dst_entry = ctx.db().lookup(ctx.arg(2), ctx.now_ms);
  if (dst_entry != nullptr && dst_entry->value.type() != store::ValueType::kList) {
    ctx.reply.error(errors::kWrongType);
    return true;
  }
  // As Valkey: the push (and its event) first, then the pop's event and the source's deletion
  // if it emptied. Rotating one list onto itself never empties it.
  std::string value = from_left ? src->pop_front() : src->pop_back();
  ListObject* dst = ctx.arg(1) == ctx.arg(2) ? src : list_for_write(ctx, ctx.arg(2));
  to_left ? dst->push_front(value) : dst->push_back(value);
  ctx.engine.key_modified(ctx.session.db, ctx.arg(2), 0);  // the move counts once, at the pop
  ctx.engine.notify(kNotifyList, push_event(to_left), ctx.session.db, ctx.arg(2));
  after_removal(ctx, ctx.arg(1), src, pop_event(from_left));
  ctx.reply.bulk(value);
  return true;
}

void lmove_command(CommandContext& ctx) {
  bool from_left, to_left;
  if (!parse_side(ctx.arg(3), &from_left) || !parse_side(ctx.arg(4), &to_left)) {
    return ctx.reply.error(errors::kSyntax);
  }
  if (!move_generic(ctx, from_left, to_left)) ctx.reply.null();
}

void bpop_generic(CommandContext& ctx, bool front) {
  int64_t deadline;
  if (!parse_block_timeout(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  std::vector<std::string> keys;
  for (size_t i = 1; i + 1 < ctx.argc(); ++i) {
    bool wrongtype;
    ListObject* l = find_list(ctx, ctx.arg(i), &wrongtype);
    if (wrongtype) return;
    keys.emplace_back(ctx.arg(i));
    if (l == nullptr) continue;
    ctx.reply.array(2);
    ctx.reply.bulk(ctx.arg(i));
    ctx.reply.bulk(front ? l->pop_front() : l->pop_back());
    after_removal(ctx, ctx.arg(i), l, pop_event(front));
    // A replay must never block: recorded as the plain pop it amounted to.
    ctx.engine.propagation.rewrite({front ? "LPOP" : "RPOP", ctx.arg(i)});
    return;
  }
  block_or_null(ctx, std::move(keys), deadline, store::ValueType::kList);
}

void bmove_generic(CommandContext& ctx, bool from_left, bool to_left, size_t timeout_at) {
  int64_t deadline;
  if (!parse_block_timeout(ctx, ctx.arg(timeout_at), &deadline)) return;
  if (move_generic(ctx, from_left, to_left)) {
    ctx.engine.propagation.rewrite({"LMOVE", ctx.arg(1), ctx.arg(2), from_left ? "LEFT" : "RIGHT",
                                    to_left ? "LEFT" : "RIGHT"});
    return;
  }
  block_or_null(ctx, {std::string(ctx.arg(1))}, deadline, store::ValueType::kList,
                /*null_bulk=*/true);
}

// LMPOP numkeys key... side [COUNT n], and BLMPOP with a timeout before numkeys.
void mpop_generic(CommandContext& ctx, bool blocking) {
  int64_t deadline = 0;
  if (blocking && !parse_block_timeout(ctx, ctx.arg(1), &deadline)) return;
  MpopArgs a;
  if (!parse_mpop_args(ctx, blocking ? 2 : 1, "left", "right", &a)) return;
  bool left = a.side_a;
  int64_t count = a.count;
  std::vector<std::string> keys;
  for (size_t i = a.first_key; i < a.end_key; ++i) {
    bool wrongtype;
    ListObject* l = find_list(ctx, ctx.arg(i), &wrongtype);
    if (wrongtype) return;
    keys.emplace_back(ctx.arg(i));
    if (l == nullptr) continue;
    int64_t n = std::min<int64_t>(count, static_cast<int64_t>(l->size()));
    ctx.reply.array(2);
    ctx.reply.bulk(ctx.arg(i));
    ctx.reply.array(n);
    for (int64_t k = 0; k < n; ++k) ctx.reply.bulk(left ? l->pop_front() : l->pop_back());
    after_removal(ctx, ctx.arg(i), l, pop_event(left));
    // Recorded as a pop of the key it took from, which never blocks on replay.
    if (ctx.engine.propagation.enabled()) {
      ctx.engine.propagation.rewrite({left ? "LPOP" : "RPOP", ctx.arg(i), std::to_string(n)});
    }
    return;
  }
  if (blocking) return block_or_null(ctx, std::move(keys), deadline, store::ValueType::kList);
  ctx.reply.null_array();
}

}  // namespace

void register_list_commands(CommandTable& t) {
  const uint64_t r = kAclRead | kAclList;
  const uint64_t w = kAclWrite | kAclList;
  auto doc = [](const char* summary, const char* since, const char* complexity = "O(1)") {
    return Doc{"list", summary, since, complexity};
  };
  t.add(cmd("lpush", -3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Prepends one or more elements to a list. Creates the key if it doesn't exist.",
                "1.0.0"),
            [](CommandContext& ctx) { push_generic(ctx, true, false); }));
  t.add(cmd("rpush", -3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Appends one or more elements to a list. Creates the key if it doesn't exist.",
                "1.0.0"),
            [](CommandContext& ctx) { push_generic(ctx, false, false); }));
  t.add(cmd("lpushx", -3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Prepends one or more elements to a list only when the list exists.", "2.2.0"),
            [](CommandContext& ctx) { push_generic(ctx, true, true); }));
  t.add(cmd("rpushx", -3, kWrite | kDenyOom | kFast, w | kAclFast, kOneKey,
            doc("Appends an element to a list only when the list exists.", "2.2.0"),
            [](CommandContext& ctx) { push_generic(ctx, false, true); }));
  t.add(cmd("lpop", -2, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Returns the first elements in a list after removing it. Deletes the list if the "
                "last element was popped.",
                "1.0.0", "O(N) where N is the number of elements returned"),
            [](CommandContext& ctx) { pop_generic(ctx, true); }));
  t.add(cmd("rpop", -2, kWrite | kFast, w | kAclFast, kOneKey,
            doc("Returns and removes the last elements of a list. Deletes the list if the last "
                "element was popped.",
                "1.0.0", "O(N) where N is the number of elements returned"),
            [](CommandContext& ctx) { pop_generic(ctx, false); }));
  t.add(cmd("llen", 2, kReadonly | kFast, r | kAclFast, kOneKey,
            doc("Returns the length of a list.", "1.0.0"), [](CommandContext& ctx) {
              bool wrongtype;
              ListObject* l = find_list(ctx, ctx.arg(1), &wrongtype);
              if (!wrongtype) ctx.reply.integer(l ? static_cast<int64_t>(l->size()) : 0);
            }));
  t.add(cmd("lrange", 4, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns a range of elements from a list.", "1.0.0",
                "O(S+N) where S is the distance of start offset from HEAD for small lists"),
            lrange_command));
  t.add(cmd("lindex", 3, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns an element from a list by its index.", "1.0.0", "O(N)"), lindex_command));
  t.add(cmd("lset", 4, kWrite | kDenyOom, w | kAclSlow, kOneKey,
            doc("Sets the value of an element in a list by its index.", "1.0.0", "O(N)"),
            lset_command));
  t.add(cmd("linsert", 5, kWrite | kDenyOom, w | kAclSlow, kOneKey,
            doc("Inserts an element before or after another element in a list.", "2.2.0",
                "O(N)"),
            linsert_command));
  t.add(cmd("lrem", 4, kWrite, w | kAclSlow, kOneKey,
            doc("Removes elements from a list. Deletes the list if the last element was "
                "removed.",
                "1.0.0", "O(N+M)"),
            lrem_command));
  t.add(cmd("ltrim", 4, kWrite, w | kAclSlow, kOneKey,
            doc("Removes elements from both ends a list. Deletes the list if all elements were "
                "trimmed.",
                "1.0.0", "O(N)"),
            ltrim_command));
  t.add(cmd("lpos", -3, kReadonly, r | kAclSlow, kOneKey,
            doc("Returns the index of matching elements in a list.", "6.0.6", "O(N)"),
            lpos_command));
  t.add(cmd("lmove", 5, kWrite | kDenyOom, w | kAclSlow, {1, 2, 1},
            doc("Returns an element after popping it from one list and pushing it to another. "
                "Deletes the list if the last element was moved.",
                "6.2.0"),
            lmove_command));
  t.add(cmd("rpoplpush", 3, kWrite | kDenyOom, w | kAclSlow, {1, 2, 1},
            doc("Returns the last element of a list after removing and pushing it to another "
                "list. Deletes the list if the last element was popped.",
                "1.2.0"),
            [](CommandContext& ctx) {
              if (!move_generic(ctx, false, true)) ctx.reply.null();
            }));
  t.add(cmd("lmpop", -4, kWrite, w | kAclSlow, kNoKeys,
            doc("Returns multiple elements from a list after removing them. Deletes the list if "
                "the last element was popped.",
                "7.0.0", "O(N+M)"),
            [](CommandContext& ctx) { mpop_generic(ctx, false); })).key_finder = keys_after_count(1);
  const uint32_t bflags = kWrite | kBlocking;
  t.add(cmd("blpop", -3, bflags, w | kAclSlow | kAclBlocking, {1, -2, 1},
            doc("Removes and returns the first element in a list. Blocks until an element is "
                "available otherwise. Deletes the list if the last element was popped.",
                "2.0.0", "O(N) where N is the number of provided keys."),
            [](CommandContext& ctx) { bpop_generic(ctx, true); }));
  t.add(cmd("brpop", -3, bflags, w | kAclSlow | kAclBlocking, {1, -2, 1},
            doc("Removes and returns the last element in a list. Blocks until an element is "
                "available otherwise. Deletes the list if the last element was popped.",
                "2.0.0", "O(N) where N is the number of provided keys."),
            [](CommandContext& ctx) { bpop_generic(ctx, false); }));
  t.add(cmd("blmove", 6, bflags | kDenyOom, w | kAclSlow | kAclBlocking, {1, 2, 1},
            doc("Pops an element from a list, pushes it to another list and returns it. Blocks "
                "until an element is available otherwise. Deletes the list if the last element "
                "was moved.",
                "6.2.0"),
            [](CommandContext& ctx) {
              bool from_left, to_left;
              if (!parse_side(ctx.arg(3), &from_left) || !parse_side(ctx.arg(4), &to_left)) {
                return ctx.reply.error(errors::kSyntax);
              }
              bmove_generic(ctx, from_left, to_left, 5);
            }));
  t.add(cmd("brpoplpush", 4, bflags | kDenyOom, w | kAclSlow | kAclBlocking, {1, 2, 1},
            doc("Pops an element from a list, pushes it to another list and returns it. Block "
                "until an element is available otherwise. Deletes the list if the last element "
                "was popped.",
                "2.2.0"),
            [](CommandContext& ctx) { bmove_generic(ctx, false, true, 3); }));
  t.add(cmd("blmpop", -5, bflags, w | kAclSlow | kAclBlocking, kNoKeys,
            doc("Pops the first element from one of multiple lists. Blocks until an element is "
                "available otherwise. Deletes the list if the last element was popped.",
                "7.0.0", "O(N+M)"),
            [](CommandContext& ctx) { mpop_generic(ctx, true); })).key_finder = keys_after_count(2);
}

}  // namespace cachet::commands
