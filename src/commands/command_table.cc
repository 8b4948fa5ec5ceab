#include "commands/command_table.h"

#include "common/strings.h"

#include <cctype>

namespace cachet::commands {
namespace {

// Lower-cases a command name into a stack buffer; names longer than this match nothing.
bool lower_into(std::string_view in, char (&buf)[64], std::string_view* out) {
  if (in.size() > sizeof buf) return false;
  for (size_t i = 0; i < in.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(in[i])));
  *out = std::string_view(buf, in.size());
  return true;
}

}  // namespace

CommandSpec& CommandTable::add(CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec* raw = owned.get();
  ordered_.push_back(raw);
  by_name_[raw->name] = std::move(owned);
  return *raw;
}

CommandSpec& CommandTable::add_subcommand(CommandSpec& parent, CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  owned->name = parent.name + "|" + owned->name;
  owned->parent = &parent;
  if (owned->group.empty()) owned->group = parent.group;
  parent.subcommands.push_back(std::move(owned));
  return *parent.subcommands.back();
}

CommandSpec* CommandTable::find(std::string_view name) const {
  char buf[64] = {};
  std::string_view lower;
  if (!lower_into(name, buf, &lower)) return nullptr;
  auto it = by_name_.find(lower);
  return it == by_name_.end() ? nullptr : it->second.get();
}

CommandSpec* CommandTable::resolve(const std::vector<std::string_view>& argv) const {
  CommandSpec* spec = find(argv[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argv.size() >= 2) {
    if (CommandSpec* sub = spec->find_subcommand(argv[1])) return sub;
  }
  return spec;
}

CommandSpec* CommandSpec::find_subcommand(std::string_view sub) const {
  char buf[64] = {};
  std::string_view lower;
  if (!lower_into(sub, buf, &lower)) return nullptr;
  for (const auto& s : subcommands) {
    std::string_view bare = std::string_view(s->name).substr(s->name.find('|') + 1);
    if (bare == lower) return s.get();
  }
  return nullptr;
}

std::vector<int> CommandSpec::key_positions(const std::vector<std::string_view>& args) const {
  if (key_finder) return key_finder(args);
  size_t argc = args.size();
  std::vector<int> out;
  if (keys.first <= 0) return out;
  int last = keys.last < 0 ? static_cast<int>(argc) + keys.last : keys.last;
  for (int i = keys.first; i <= last && i < static_cast<int>(argc); i += std::max(1, keys.step))
    out.push_back(i);
  return out;
}

KeyFinder keys_after_count(int count_at, bool leading_key) {
  return [count_at, leading_key](const std::vector<std::string_view>& args) {
    std::vector<int> out;
    if (leading_key && args.size() > 1) out.push_back(1);
    int64_t count = 0;
    if (static_cast<size_t>(count_at) >= args.size() || !parse_int64(args[count_at], &count)) {
      return out;
    }
    for (int64_t i = 0; i < count && static_cast<size_t>(count_at + 1 + i) < args.size(); ++i)
      out.push_back(static_cast<int>(count_at + 1 + i));
    return out;
  };
}

std::vector<std::string_view> flag_names(uint32_t flags) {
  static constexpr std::pair<CommandFlag, std::string_view> kNames[] = {
      {kWrite, "write"},         {kReadonly, "readonly"},      {kDenyOom, "denyoom"},
      {kAdmin, "admin"},         {kPubsub, "pubsub"},          {kNoscript, "noscript"},
      {kBlocking, "blocking"},   {kLoading, "loading"},        {kStale, "stale"},
      {kSkipMonitor, "skip_monitor"}, {kSkipSlowlog, "skip_slowlog"}, {kFast, "fast"},
      {kNoAuth, "no_auth"},      {kAllowBusy, "allow_busy"},   {kNoMulti, "no_multi"},
      {kSentinel, "sentinel"}};
  std::vector<std::string_view> out;
  for (const auto& [f, n] : kNames)
    if (flags & f) out.push_back(n);
  return out;
}

std::vector<std::string_view> acl_category_names(uint64_t acl) {
  static constexpr std::pair<AclCategory, std::string_view> kNames[] = {
      {kAclKeyspace, "@keyspace"},     {kAclRead, "@read"},       {kAclWrite, "@write"},
      {kAclString, "@string"},         {kAclAdmin, "@admin"},     {kAclFast, "@fast"},
      {kAclSlow, "@slow"},             {kAclDangerous, "@dangerous"},
      {kAclConnection, "@connection"}, {kAclTransaction, "@transaction"},
      {kAclPubsub, "@pubsub"},         {kAclHash, "@hash"},
      {kAclSet, "@set"},               {kAclList, "@list"},
      {kAclBlocking, "@blocking"},    {kAclSortedSet, "@sortedset"}};
  std::vector<std::string_view> out;
  for (const auto& [f, n] : kNames)
    if (acl & f) out.push_back(n);
  return out;
}

}  // namespace cachet::commands
