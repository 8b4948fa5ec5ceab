#include "config/directive.h"

#include <fmt/format.h>

#include "common/strings.h"

namespace cachet::config {

bool Directive::matches(std::string_view n) const {
  if (iequals(n, name)) return true;
  for (const std::string& a : aliases)
    if (iequals(n, a)) return true;
  return false;
}

std::string enum_error(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& n : names) {
    if (!joined.empty()) joined += ", ";
    joined += n;
  }
  return "argument(s) must be one of the following: " + joined;
}

namespace {
Directive named(std::string name, uint32_t flags, ApplyGroup apply) {
  Directive d;
  d.name = std::move(name);
  d.flags = flags;
  d.apply = apply;
  return d;
}
}  // namespace

Directive bool_directive(std::string name, bool ServerConfig::*field, uint32_t flags,
                         ApplyGroup apply) {
  Directive d = named(std::move(name), flags, apply);
  d.set = [field](ServerConfig& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() == 1 && iequals(args[0], "yes")) {
      c.*field = true;
    } else if (args.size() == 1 && iequals(args[0], "no")) {
      c.*field = false;
    } else {
      *err = "argument must be 'yes' or 'no'";
      return false;
    }
    return true;
  };
  d.get = [field](const ServerConfig& c) { return std::string(c.*field ? "yes" : "no"); };
  return d;
}

namespace {
Directive number_directive(std::string name, int64_t ServerConfig::*field, int64_t min,
                           int64_t max, uint32_t flags, ApplyGroup apply, bool memory) {
  Directive d = named(std::move(name), flags, apply);
  d.set = [=](ServerConfig& c, const std::vector<std::string>& args, std::string* err) {
    int64_t v;
    bool ok = args.size() == 1 && (memory ? parse_memory(args[0], &v) : parse_int64(args[0], &v));
    if (!ok) {
      *err = memory ? "argument must be a memory value"
                    : "argument couldn't be parsed into an integer";
      return false;
    }
    if (v < min || v > max) {
      *err = fmt::format("argument must be between {} and {} inclusive", min, max);
      return false;
    }
    c.*field = v;
    return true;
  };
  d.get = [field](const ServerConfig& c) { return int64_to_string(c.*field); };
  return d;
}
}  // namespace

Directive int_directive(std::string name, int64_t ServerConfig::*field, int64_t min, int64_t max,
                        uint32_t flags, ApplyGroup apply) {
  return number_directive(std::move(name), field, min, max, flags, apply, false);
}

Directive memory_directive(std::string name, int64_t ServerConfig::*field, int64_t min,
                           int64_t max, uint32_t flags, ApplyGroup apply) {
  return number_directive(std::move(name), field, min, max, flags, apply, true);
}

Directive string_directive(std::string name, std::string ServerConfig::*field, uint32_t flags,
                           ApplyGroup apply) {
  Directive d = named(std::move(name), flags, apply);
  d.set = [field](ServerConfig& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() != 1) {
      *err = "wrong number of arguments";
      return false;
    }
    c.*field = args[0];
    return true;
  };
  d.get = [field](const ServerConfig& c) { return c.*field; };
  return d;
}

std::vector<std::string> split_set_value(const Directive& d, const std::string& value) {
  if (!d.has_flag(kMultiArg)) return {value};
  std::vector<std::string> words;
  size_t i = 0;
  while (i < value.size()) {
    size_t j = value.find(' ', i);
    if (j == std::string::npos) j = value.size();
    if (j > i) words.push_back(value.substr(i, j - i));
    i = j + 1;
  }
  return words;
}

}  // namespace cachet::config
