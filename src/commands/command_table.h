#pragma once
// The command table is data: name, arity, flags, key positions, ACL categories and docs live
// here once, and dispatch, arity errors, COMMAND INFO/DOCS/COUNT/LIST/GETKEYS read them.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cachet::commands {

struct CommandContext;

enum CommandFlag : uint32_t {
  kWrite = 1 << 0,
  kReadonly = 1 << 1,
  kDenyOom = 1 << 2,
  kAdmin = 1 << 3,
  kPubsub = 1 << 4,
  kNoscript = 1 << 5,
  kBlocking = 1 << 6,
  kLoading = 1 << 7,
  kStale = 1 << 8,
  kFast = 1 << 9,
  kNoAuth = 1 << 10,
  kAllowBusy = 1 << 11,
  kNoMulti = 1 << 12,
  kSkipMonitor = 1 << 13,
  kSkipSlowlog = 1 << 14,
  kSentinel = 1 << 15,
  // Internal, not a Valkey flag: runs at once inside MULTI instead of being queued
  // (EXEC, DISCARD, QUIT, RESET; MULTI and WATCH are no_multi and refused there).
  kRunsInMulti = 1 << 16,
  // Internal: may run while a RESP2 client is subscribed ((P|S)(UN)SUBSCRIBE, PING, QUIT,
  // RESET); everything else is refused there.
  kAllowedWhileSubscribed = 1 << 17,
  // Internal: (P|S)UNSUBSCRIBE, refused with NOSUB outside the Pub/Sub context.
  kNeedsSubscription = 1 << 18,
  // Internal: the reply is only (un)subscribe confirmations, which are pushes (arrays in RESP2)
  // that CLIENT REPLY OFF/SKIP does not silence, as in Valkey.
  kRepliesWithPushes = 1 << 19,
};

// ACL categories, as ACL CAT lists them (the ACL work fills in the rest of the machinery).
enum AclCategory : uint64_t {
  kAclKeyspace = 1 << 0,
  kAclRead = 1 << 1,
  kAclWrite = 1 << 2,
  kAclString = 1 << 3,
  kAclAdmin = 1 << 4,
  kAclFast = 1 << 5,
  kAclSlow = 1 << 6,
  kAclDangerous = 1 << 7,
  kAclConnection = 1 << 8,
  kAclTransaction = 1 << 9,
  kAclPubsub = 1 << 10,
  kAclHash = 1 << 11,
  kAclSet = 1 << 12,
  kAclList = 1 << 13,
  kAclBlocking = 1 << 14,
  kAclSortedSet = 1 << 15,
};

using Handler = std::function<void(CommandContext&)>;
// Key positions of commands whose keys depend on their arguments (SORT ... STORE dst,
// ZUNION numkeys key ...): given the full argv, the indexes of the keys.
using KeyFinder = std::function<std::vector<int>(const std::vector<std::string_view>& args)>;

// Keys named by a count argument at `count_at` (ZUNION 2 a b); `leading_key` adds argv[1]
// (the destination of ZUNIONSTORE dst 2 a b).
KeyFinder keys_after_count(int count_at, bool leading_key = false);

struct KeySpec {
  int first = 0;  // 0 = no keys
  int last = 0;   // negative counts from the end
  int step = 0;
};

struct CommandSpec {
  std::string name;  // lower case; "config|get" style full name for subcommands
  int arity = 0;     // > 0 exact, < 0 at least -arity (including the name)
  uint32_t flags = 0;
  uint64_t acl = 0;
  KeySpec keys;
  std::string group;
  std::string summary;
  std::string since;
  std::string complexity;
  Handler handler;
  KeyFinder key_finder;  // when set, overrides `keys`
  std::vector<std::unique_ptr<CommandSpec>> subcommands;
  CommandSpec* parent = nullptr;

  // Statistics for INFO commandstats.
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;

  bool has(CommandFlag f) const { return (flags & f) != 0; }
  bool arity_ok(size_t argc) const {
    return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
  }
  // "get", or "config|get" for a subcommand.
  const std::string& full_name() const { return name; }
  CommandSpec* find_subcommand(std::string_view name) const;
  // The key argument positions in argv for this call.
  std::vector<int> key_positions(const std::vector<std::string_view>& args) const;
};

class CommandTable {
 public:
  CommandSpec& add(CommandSpec spec);
  // Adds a subcommand to `parent`; the spec's name is the bare subcommand ("get").
  CommandSpec& add_subcommand(CommandSpec& parent, CommandSpec spec);
  CommandSpec* find(std::string_view name) const;  // case-insensitive
  // The command a request names: its subcommand when argv[1] names one, else the command
  // itself; nullptr for an unknown name.
  CommandSpec* resolve(const std::vector<std::string_view>& argv) const;
  const std::vector<CommandSpec*>& all() const { return ordered_; }
  size_t size() const { return ordered_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>, Hash, std::equal_to<>> by_name_;
  std::vector<CommandSpec*> ordered_;
};

std::vector<std::string_view> flag_names(uint32_t flags);
std::vector<std::string_view> acl_category_names(uint64_t acl);

}  // namespace cachet::commands
