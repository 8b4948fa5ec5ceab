#pragma once
// One configuration directive: how to set it from text, how to print it, and what it touches.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/server_config.h"

namespace cachet::config {

enum DirectiveFlag : uint32_t {
  kImmutable = 1 << 0,   // only in the file or on the command line, not CONFIG SET
  kSensitive = 1 << 1,   // never logged (passwords)
  kMultiArg = 1 << 2,    // takes several words; CONFIG SET splits its value on spaces
  kAccumulate = 1 << 3,  // several file lines add up ("save 900 1" then "save 300 10")
  kProtected = 1 << 4,   // CONFIG SET refused unless enable-protected-configs allows it
};

// The part of the server that must react when a directive changes at run time.
enum class ApplyGroup {
  kNone,
  kListeners,
  kTls,
  kLogging,
  kDir,
  kMaxclients,
  kMaxmemory,
  kAppendonly,
};

struct Directive {
  std::string name;
  std::vector<std::string> aliases;
  uint32_t flags = 0;
  ApplyGroup apply = ApplyGroup::kNone;
  // Sets the value from its words; on failure returns false with Valkey's reason in *error.
  std::function<bool(ServerConfig&, const std::vector<std::string>&, std::string*)> set;
  std::function<std::string(const ServerConfig&)> get;

  bool has_flag(DirectiveFlag f) const { return (flags & f) != 0; }
  bool matches(std::string_view n) const;
};

// Typed builders, so the table reads as a list of declarations.
Directive bool_directive(std::string name, bool ServerConfig::*field, uint32_t flags = 0,
                         ApplyGroup apply = ApplyGroup::kNone);
Directive int_directive(std::string name, int64_t ServerConfig::*field, int64_t min, int64_t max,
                        uint32_t flags = 0, ApplyGroup apply = ApplyGroup::kNone);
Directive memory_directive(std::string name, int64_t ServerConfig::*field, int64_t min,
                           int64_t max, uint32_t flags = 0, ApplyGroup apply = ApplyGroup::kNone);
Directive string_directive(std::string name, std::string ServerConfig::*field, uint32_t flags = 0,
                           ApplyGroup apply = ApplyGroup::kNone);
template <typename E>
Directive enum_directive(std::string name, E ServerConfig::*field,
                         std::vector<std::pair<std::string, E>> names, uint32_t flags = 0,
                         ApplyGroup apply = ApplyGroup::kNone);

// Splits a CONFIG SET value into words as the directive expects them.
std::vector<std::string> split_set_value(const Directive& d, const std::string& value);

std::string enum_error(const std::vector<std::string>& names);

template <typename E>
Directive enum_directive(std::string name, E ServerConfig::*field,
                         std::vector<std::pair<std::string, E>> names, uint32_t flags,
                         ApplyGroup apply) {
  Directive d;
  d.name = std::move(name);
  d.flags = flags;
  d.apply = apply;
  d.set = [field, names](ServerConfig& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() == 1) {
      for (const auto& [text, value] : names) {
        if (args[0].size() == text.size() &&
            std::equal(text.begin(), text.end(), args[0].begin(),
                       [](char a, char b) { return a == std::tolower(b); })) {
          c.*field = value;
          return true;
        }
      }
    }
    std::vector<std::string> all;
    for (const auto& n : names) all.push_back(n.first);
    *err = enum_error(all);
    return false;
  };
  d.get = [field, names](const ServerConfig& c) {
    for (const auto& [text, value] : names)
      if (value == c.*field) return text;
    return std::string();
  };
  return d;
}

}  // namespace cachet::config
