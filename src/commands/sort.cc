// SORT and SORT_RO over lists, sets and sorted sets: numeric or ALPHA order, BY weights
// taken from other keys (or hash fields with "->"), LIMIT, GET patterns ("#" is the element)
// and STORE into a list, with Valkey's rules for the corner cases.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "commands/context.h"
#include "commands/errors.h"
#include "commands/families.h"
#include "commands/spec_builder.h"
#include "common/strings.h"
#include "store/hash_object.h"
#include "store/list_object.h"
#include "store/set_object.h"
#include "store/zset_object.h"

namespace cachet::commands {
namespace {

struct SortRequest {
  bool desc = false;
  bool alpha = false;
  bool dont_sort = false;  // BY a pattern without '*': keep the collection's own order
  std::optional<std::string_view> by;
  std::vector<std::string_view> gets;
  int64_t offset = 0, count = -1;
  std::optional<std::string_view> store_key;
};

// The value a BY or GET pattern names for `element`: "#" is the element itself; the first '*'
// is replaced by the element; "key->field" reads a hash field. Missing values are nullopt.
std::optional<std::string> lookup_pattern(CommandContext& ctx, std::string_view pattern,
                                          std::string_view element) {
  if (pattern == "#") return std::string(element);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  std::string_view key_pattern = pattern;
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    key_pattern = pattern.substr(0, arrow);
  }
  std::string key(key_pattern.substr(0, star));
  key.append(element).append(key_pattern.substr(star + 1));
  store::Entry* e = ctx.db().lookup_read(key, ctx.now_ms);
  if (e == nullptr) return std::nullopt;
  if (!field.empty()) {
    if (e->value.type() != store::ValueType::kHash) return std::nullopt;
    auto v = e->value.hash_object()->get(field);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  }
  if (e->value.type() != store::ValueType::kString) return std::nullopt;
  char scratch[store::Value::kIntBufferSize];
  return std::string(e->value.str(scratch));
}

// False after an error reply.
bool parse_request(CommandContext& ctx, bool read_only, SortRequest* q) {
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    size_t left = ctx.argc() - i - 1;
    if (iequals(a, "asc")) {
      q->desc = false;
    } else if (iequals(a, "desc")) {
      q->desc = true;
    } else if (iequals(a, "alpha")) {
      q->alpha = true;
    } else if (iequals(a, "limit") && left >= 2) {
      if (!parse_int64(ctx.arg(i + 1), &q->offset) || !parse_int64(ctx.arg(i + 2), &q->count)) {
        ctx.reply.error(errors::kNotInteger);
        return false;
      }
      i += 2;
    } else if (!read_only && iequals(a, "store") && left >= 1) {
      q->store_key = ctx.arg(++i);
    } else if (iequals(a, "by") && left >= 1) {
      q->by = ctx.arg(++i);
      q->dont_sort = q->by->find('*') == std::string_view::npos;
    } else if (iequals(a, "get") && left >= 1) {
      q->gets.push_back(ctx.arg(++i));
    } else {
      ctx.reply.error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

struct Item {
  std::string element;
  double score = 0;
  std::optional<std::string> key;  // the ALPHA comparison value when sorting BY
};

void sort_command(CommandContext& ctx, bool read_only) {
  SortRequest q;
  if (!parse_request(ctx, read_only, &q)) return;
  store::Entry* e = ctx.db().lookup_read(ctx.arg(1), ctx.now_ms);
  store::ValueType type = e ? e->value.type() : store::ValueType::kList;
  if (e != nullptr && type != store::ValueType::kList && type != store::ValueType::kSet &&
      type != store::ValueType::kZSet) {
    return ctx.reply.error(errors::kWrongType);
  }
  // A set has no order of its own; when the result is stored, sort it so it is repeatable.
  if (q.dont_sort && type == store::ValueType::kSet && q.store_key) {
    q.dont_sort = false;
    q.alpha = true;
    q.by.reset();
  }
  std::vector<Item> items;
  if (e != nullptr) {
    auto add = [&](std::string_view m) { items.push_back(Item{std::string(m), 0, {}}); };
    switch (type) {
      case store::ValueType::kList: {
        const store::ListObject* l = e->value.list_object();
        if (l->size() > 0) l->for_range(0, l->size() - 1, [&](std::string_view m) {
          add(m);
          return true;
        });
        break;
      }
      case store::ValueType::kSet: e->value.set_object()->for_each(add); break;
      default: {
        const store::ZSetObject* z = e->value.zset_object();
        z->visit(0, z->size(), q.dont_sort && q.desc,
                 [&](std::string_view m, double) { add(m); });
        break;
      }
    }
  }
  // LIMIT, clamped as Valkey does.
  auto n = static_cast<int64_t>(items.size());
  int64_t start = q.offset < 0 ? 0 : q.offset;
  int64_t end = q.count < 0 ? n - 1 : start + q.count - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;

  if (!q.dont_sort) {
    for (Item& it : items) {
      std::optional<std::string> by_value;
      if (q.by) {
        by_value = lookup_pattern(ctx, *q.by, it.element);
      }
      if (q.alpha) {
        if (q.by) it.key = std::move(by_value);
        continue;
      }
      std::string_view text = q.by ? (by_value ? std::string_view(*by_value) : "") : it.element;
      if (q.by && !by_value) continue;  // a missing weight counts as 0
      if (!parse_double(text, &it.score)) {
        return ctx.reply.error("ERR One or more scores can't be converted into double");
      }
    }
    auto less = [&](const Item& a, const Item& b) {
      int cmp;
      if (!q.alpha) {
        cmp = a.score < b.score ? -1 : a.score > b.score ? 1 : 0;
      } else if (q.by) {
        // A missing BY value sorts first.
        cmp = !a.key ? (b.key ? -1 : 0) : !b.key ? 1 : a.key->compare(*b.key);
      } else {
        cmp = a.element.compare(b.element);
      }
      // Equal weights fall back to the elements themselves, so the order is defined.
      if (cmp == 0 && (!q.alpha || q.by)) cmp = a.element.compare(b.element);
      return q.desc ? cmp > 0 : cmp < 0;
    };
    std::sort(items.begin(), items.end(), less);
  } else if (q.desc && type == store::ValueType::kList) {
    std::reverse(items.begin(), items.end());
  }

  size_t per_item = q.gets.empty() ? 1 : q.gets.size();
  size_t picked = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  if (q.store_key) {
    auto list = std::make_unique<store::ListObject>(ctx.engine.config.list_max_listpack_size);
    for (size_t i = 0; i < picked; ++i) {
      const std::string& el = items[static_cast<size_t>(start) + i].element;
      if (q.gets.empty()) list->push_back(el);
      for (std::string_view g : q.gets) list->push_back(lookup_pattern(ctx, g, el).value_or(""));
    }
    std::string_view dst = *q.store_key;
    size_t stored = list->size();
    if (stored == 0) {
      if (ctx.db().remove(dst)) {
        ctx.engine.key_modified(ctx.session.db, dst);
        ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, dst);
      }
    } else {
      ctx.db().set(dst, store::Value::list(std::move(list)), false);
      ctx.engine.key_modified(ctx.session.db, dst);
      ctx.engine.notify(kNotifyList, "sortstore", ctx.session.db, dst);
    }
    return ctx.reply.integer(static_cast<int64_t>(stored));
  }
  ctx.reply.array(static_cast<int64_t>(picked * per_item));
  for (size_t i = 0; i < picked; ++i) {
    const std::string& el = items[static_cast<size_t>(start) + i].element;
    if (q.gets.empty()) ctx.reply.bulk(el);
    for (std::string_view g : q.gets) {
      std::optional<std::string> v = lookup_pattern(ctx, g, el);
      v ? ctx.reply.bulk(*v) : ctx.reply.null();
    }
  }
}

// The sorted key, and the destination of the last STORE (the one that takes effect).
std::vector<int> sort_keys(const std::vector<std::string_view>& args) {
  std::vector<int> out{1};
  int store_at = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    // Skip the arguments of options so a key named "store" is not mistaken for the option.
    if (iequals(args[i], "limit")) {
      i += 2;
    } else if (iequals(args[i], "get") || iequals(args[i], "by")) {
      i += 1;
    } else if (iequals(args[i], "store") && i + 1 < args.size()) {
      store_at = static_cast<int>(++i);
    }
  }
  if (store_at != 0) out.push_back(store_at);
  return out;
}

}  // namespace

void register_sort_commands(CommandTable& t) {
  const char* kCost =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
      "number of returned elements. When the elements are not sorted, complexity is O(N).";
  t.add(cmd("sort", -2, kWrite | kDenyOom, kAclWrite | kAclSet | kAclSortedSet | kAclList |
                                               kAclSlow | kAclDangerous,
            kOneKey,
            Doc{"generic",
                "Sorts the elements in a list, a set, or a sorted set, optionally storing the "
                "result.",
                "1.0.0", kCost},
            [](CommandContext& ctx) { sort_command(ctx, false); }))
      .key_finder = sort_keys;
  t.add(cmd("sort_ro", -2, kReadonly, kAclRead | kAclSet | kAclSortedSet | kAclList |
                                          kAclSlow | kAclDangerous,
            kOneKey,
            Doc{"generic", "Returns the sorted elements of a list, a set, or a sorted set.",
                "7.0.0", kCost},
            [](CommandContext& ctx) { sort_command(ctx, true); }));
}

}  // namespace cachet::commands
