// Generic key commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, OBJECT, MEMORY USAGE.
#include <fmt/format.h>
#include <malloc.h>

#include "common/strings.h"
#include "commands/eviction.h"
#include "commands/families.h"
#include "commands/help_reply.h"
#include "commands/spec_builder.h"
#include "commands/string_access.h"

namespace cachet::commands {
namespace {

using store::Entry;

void del_command(CommandContext& ctx) {
  int64_t removed = 0;
  store::Database& db = ctx.db();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    // lookup first so an expired key counts as absent, as in Valkey
    if (db.lookup(ctx.arg(i), ctx.now_ms, false) != nullptr && db.remove(ctx.arg(i))) {
      ++removed;
      ctx.engine.key_modified(ctx.session.db, ctx.arg(i));
      ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, ctx.arg(i));  // UNLINK too
    }
  }
  ctx.reply.integer(removed);
}

void exists_command(CommandContext& ctx) {
  int64_t count = 0;
  for (size_t i = 1; i < ctx.argc(); ++i)
    if (ctx.db().lookup_read(ctx.arg(i), ctx.now_ms, /*touch=*/false) != nullptr) ++count;
  ctx.reply.integer(count);
}

void touch_command(CommandContext& ctx) {
  int64_t count = 0;
  for (size_t i = 1; i < ctx.argc(); ++i)
    if (ctx.db().lookup(ctx.arg(i), ctx.now_ms) != nullptr) ++count;
  ctx.reply.integer(count);
}

void type_command(CommandContext& ctx) {
  Entry* e = ctx.db().lookup(ctx.arg(1), ctx.now_ms, false);
  ctx.reply.simple(e == nullptr ? "none" : store::type_name(e->value.type()));
}

void object_help(CommandContext& ctx) {
  reply_help(ctx, {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Print this help."});
}

void object_subcommand(CommandContext& ctx, std::string_view which) {
  Entry* e = ctx.db().lookup(ctx.arg(2), ctx.now_ms, /*touch=*/false);
  if (e == nullptr) return ctx.reply.null();
  if (which == "encoding") return ctx.reply.bulk(store::encoding_name(e->value.encoding()));
  if (which == "refcount") {
    // Small integers are shared objects in Valkey, reported with the "immortal" count.
    // Valkey stops sharing them under maxmemory with an LRU or LFU policy, where each key
    // needs its own access stamp.
    const config::ServerConfig& c = ctx.engine.config;
    bool sharing = c.maxmemory == 0 ||
                   !(is_lru_policy(c.maxmemory_policy) || is_lfu_policy(c.maxmemory_policy));
    bool shared = sharing && e->value.is_int() && e->value.int_value() >= 0 &&
                  e->value.int_value() < 10000;
    return ctx.reply.integer(shared ? 2147483647 : 1);
  }
  if (which == "idletime") {
    if (is_lfu_policy(ctx.engine.config.maxmemory_policy)) {
      return ctx.reply.error(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    return ctx.reply.integer(store::idle_seconds(e->lru, ctx.now_ms));
  }
  // freq
  if (!is_lfu_policy(ctx.engine.config.maxmemory_policy)) {
    return ctx.reply.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
  // The counter as decayed by now; reading it is not an access.
  int64_t decay = ctx.engine.config.lfu_decay_time;
  ctx.reply.integer(store::lfu_decayed_counter(e->lru, ctx.now_ms, decay));
}

void memory_usage(CommandContext& ctx) {
  if (ctx.argc() != 3 && !(ctx.argc() == 5 && iequals(ctx.arg(3), "samples"))) {
    return ctx.reply.error(errors::kSyntax);
  }
  if (ctx.argc() == 5) {
    int64_t samples;
    if (!parse_int64(ctx.arg(4), &samples)) return ctx.reply.error(errors::kNotInteger);
  }
  Entry* e = ctx.db().lookup(ctx.arg(2), ctx.now_ms, false);
  if (e == nullptr) return ctx.reply.null();
  // The entry block (header, value header and key) plus what the value owns on the heap, and
  // the bucket slot that points at it.
  size_t bytes = malloc_usable_size(e) + e->value.heap_bytes() + sizeof(void*);
  ctx.reply.integer(static_cast<int64_t>(bytes));
}

void memory_help(CommandContext& ctx) {
  reply_help(ctx, {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Print this help."});
}

}  // namespace

void register_key_commands(CommandTable& t) {
  const uint64_t kw = kAclKeyspace | kAclWrite;
  const uint64_t kr = kAclKeyspace | kAclRead;
  t.add(cmd("del", -2, kWrite, kw | kAclSlow, {1, -1, 1},
            {"generic", "Deletes one or more keys.", "1.0.0",
             "O(N) where N is the number of keys that will be removed."},
            del_command));
  t.add(cmd("unlink", -2, kWrite | kFast, kw | kAclFast, {1, -1, 1},
            {"generic", "Asynchronously deletes one or more keys.", "4.0.0",
             "O(1) for each key removed regardless of its size."},
            del_command));
  t.add(cmd("exists", -2, kReadonly | kFast, kr | kAclFast, {1, -1, 1},
            {"generic", "Determines whether one or more keys exist.", "1.0.0",
             "O(N) where N is the number of keys to check."},
            exists_command));
  t.add(cmd("touch", -2, kReadonly | kFast, kr | kAclFast, {1, -1, 1},
            {"generic", "Returns the number of existing keys out of those specified after "
                        "updating the time they were last accessed.",
             "3.2.1", "O(N) where N is the number of keys that will be touched."},
            touch_command));
  t.add(cmd("type", 2, kReadonly | kFast, kr | kAclFast, kOneKey,
            {"generic", "Determines the type of value stored at a key."}, type_command));

  CommandSpec& object = t.add(cmd("object", -2, 0, kAclSlow, kNoKeys,
                                  {"generic", "A container for object introspection commands.",
                                   "2.2.3", "Depends on subcommand."},
                                  nullptr));
  for (const char* sub : {"encoding", "freq", "idletime", "refcount"}) {
    std::string which = sub;
    t.add_subcommand(object, cmd(sub, 3, kReadonly, kr | kAclSlow, {2, 2, 1},
                                 {"generic", "Returns information about a key's object.", "2.2.3"},
                                 [which](CommandContext& ctx) { object_subcommand(ctx, which); }));
  }
  t.add_subcommand(object, cmd("help", 2, kLoading | kStale, kAclSlow, kNoKeys,
                               {"generic", "Returns helpful text about the different "
                                           "subcommands.", "6.2.0"},
                               object_help));

  CommandSpec& memory = t.add(cmd("memory", -2, 0, kAclSlow, kNoKeys,
                                  {"server", "A container for memory diagnostics commands.",
                                   "4.0.0", "Depends on subcommand."},
                                  nullptr));
  t.add_subcommand(memory, cmd("usage", -3, kReadonly, kr | kAclSlow, {2, 2, 1},
                               {"server", "Estimates the memory usage of a key.", "4.0.0",
                                "O(N) where N is the number of samples."},
                               memory_usage));
  t.add_subcommand(memory, cmd("help", 2, kLoading | kStale, kAclSlow, kNoKeys,
                               {"server", "Returns helpful text about the different "
                                          "subcommands.", "4.0.0"},
                               memory_help));
}

}  // namespace cachet::commands
