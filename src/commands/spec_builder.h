#pragma once
// A compact way to declare a command: cmd("get", 2, kReadonly | kFast, ...).
#include <string>

#include "commands/command_table.h"

namespace cachet::commands {

struct Doc {
  std::string group;
  std::string summary;
  std::string since = "1.0.0";
  std::string complexity = "O(1)";
};

inline CommandSpec cmd(std::string name, int arity, uint32_t flags, uint64_t acl, KeySpec keys,
                       Doc doc, Handler handler) {
  CommandSpec s;
  s.name = std::move(name);
  s.arity = arity;
  s.flags = flags;
  s.acl = acl;
  s.keys = keys;
  s.group = std::move(doc.group);
  s.summary = std::move(doc.summary);
  s.since = std::move(doc.since);
  s.complexity = std::move(doc.complexity);
  s.handler = std::move(handler);
  return s;
}

inline constexpr KeySpec kNoKeys{0, 0, 0};
inline constexpr KeySpec kOneKey{1, 1, 1};

}  // namespace cachet::commands
