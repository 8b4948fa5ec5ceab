#include "config/config_loader.h"

#include <fmt/format.h>
#include <limits.h>
#include <stdlib.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <vector>

#include "common/split_args.h"
#include "common/version.h"
#include "common/strings.h"
#include "config/directives.h"

namespace cachet::config {
namespace {

constexpr int kMaxIncludeDepth = 16;

struct Line {
  std::string source;  // file name or "command line"
  int number = 0;
  std::string text;
  std::vector<std::string> words;
};

std::string fatal_report(const Line& line, std::string_view reason) {
  return fmt::format(
      "\n*** FATAL CONFIG FILE ERROR (Cachet {}) ***\n"
      "Reading the configuration file {}, at line {}\n>>> '{}'\n{}\n",
      CACHET_VERSION_STRING, line.source, line.number, line.text, reason);
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Collects the lines of a file and its includes, in order.
bool collect_lines(std::string_view text, const std::string& source, int depth,
                   std::vector<Line>* lines, std::string* error) {
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++number;
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back())))
      raw.remove_suffix(1);
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.front())))
      raw.remove_prefix(1);
    if (raw.empty() || raw.front() == '#') {
      if (nl == text.size()) break;
      continue;
    }
    Line line{source, number, std::string(raw), {}};
    if (!split_args(raw, &line.words)) {
      *error = fatal_report(line, "Unbalanced quotes in configuration line");
      return false;
    }
    if (iequals(line.words[0], "include")) {
      if (line.words.size() != 2) {
        *error = fatal_report(line, "Bad directive or wrong number of arguments");
        return false;
      }
      if (depth >= kMaxIncludeDepth) {
        *error = fatal_report(line, "Too many nested includes");
        return false;
      }
      std::string content;
      if (!read_file(line.words[1], &content)) {
        *error = fatal_report(line, fmt::format("Fatal error, can't open config file '{}': {}",
                                                line.words[1], std::strerror(errno)));
        return false;
      }
      if (!collect_lines(content, line.words[1], depth + 1, lines, error)) return false;
    } else {
      lines->push_back(std::move(line));
    }
    if (nl == text.size()) break;
  }
  return true;
}

bool apply_lines(const std::vector<Line>& lines, ServerConfig* config, std::string* error) {
  // Accumulating directives ("save") gather the words of all their lines and are set once.
  std::map<const Directive*, std::pair<std::vector<std::string>, const Line*>> accumulated;
  for (const Line& line : lines) {
    const Directive* d = find_directive(line.words[0]);
    std::vector<std::string> args(line.words.begin() + 1, line.words.end());
    // A bare "save" clears the save points, as `save ""` does.
    if (d != nullptr && args.empty() && d->has_flag(kAccumulate)) args.emplace_back();
    if (d == nullptr || args.empty()) {
      *error = fatal_report(line, "Bad directive or wrong number of arguments");
      return false;
    }
    // As in Valkey, one quoted argument of a multi-word directive is split on spaces:
    // --client-output-buffer-limit "normal 1mb 0 0" or --save "900 1" mean the unquoted forms.
    if (d->has_flag(kMultiArg) && args.size() == 1 && !args[0].empty()) {
      args = split_set_value(*d, args[0]);
    }
    if (d->has_flag(kAccumulate)) {
      auto& [words, where] = accumulated[d];
      bool disables = args.size() == 1 && args[0].empty();
      if (disables) {
        words = {""};
      } else {
        if (words.size() == 1 && words[0].empty()) words.clear();
        words.insert(words.end(), args.begin(), args.end());
      }
      where = &line;
      continue;
    }
    if (!d->has_flag(kMultiArg) && args.size() != 1) {
      *error = fatal_report(line, "wrong number of arguments");
      return false;
    }
    std::string reason;
    if (!d->set(*config, args, &reason)) {
      *error = fatal_report(line, reason);
      return false;
    }
  }
  for (auto& [d, entry] : accumulated) {
    std::string reason;
    if (!d->set(*config, entry.first, &reason)) {
      *error = fatal_report(*entry.second, reason);
      return false;
    }
  }
  return true;
}

// Turns the arguments after the config file into directive lines the way redis-server does:
// "--port 7000" (one or two arguments) starts a directive; values are quoted and appended; an
// argument starting with "--" right after a directive that has no value yet is its value
// ("--logfile --my-file"), except that a bare "--save" means save "".
bool override_lines(int argc, const char* const* argv, int first, std::vector<Line>* lines,
                    std::string* error) {
  bool has_value = true;  // whether the current directive already has a value
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (has_value && arg.starts_with("--")) {
      std::string text(arg.substr(2));
      std::vector<std::string> words;
      split_args(text, &words);
      has_value = words.size() > 1;  // "--port 7000" as one argument carries its value
      bool next_is_option = i + 1 < argc && std::string_view(argv[i + 1]).starts_with("--");
      if (!has_value && iequals(text, "save") && (i + 1 == argc || next_is_option)) {
        text += " \"\"";
        has_value = true;
      }
      lines->push_back(Line{"(command line)", static_cast<int>(lines->size()) + 1, text, {}});
    } else if (!lines->empty()) {
      lines->back().text.push_back(' ');
      lines->back().text.append(quote_arg(arg));
      has_value = true;
    } else {
      *error = fmt::format("Invalid command line argument '{}': directives start with --\n", arg);
      return false;
    }
  }
  for (Line& line : *lines) {
    if (!split_args(line.text, &line.words) || line.words.empty()) {
      *error = fatal_report(line, "Unbalanced quotes in configuration line");
      return false;
    }
  }
  return true;
}

}  // namespace

LoadResult load_from_text(std::string_view text, const std::string& source, ServerConfig* config) {
  LoadResult result;
  std::vector<Line> lines;
  if (!collect_lines(text, source, 0, &lines, &result.error) ||
      !apply_lines(lines, config, &result.error)) {
    result.ok = false;
  }
  return result;
}

LoadResult load_from_args(int argc, const char* const* argv, ServerConfig* config) {
  LoadResult result;
  std::vector<Line> lines;
  int first_override = 1;
  if (argc > 1 && !std::string_view(argv[1]).starts_with("--")) {
    std::string path = argv[1];
    std::string content;
    bool ok = path == "-" ? static_cast<bool>(std::getline(std::cin, content, '\0')) || true
                          : read_file(path, &content);
    if (!ok) {
      result.ok = false;
      result.error = fmt::format("Fatal error, can't open config file '{}': {}\n", path,
                                 std::strerror(errno));
      return result;
    }
    if (path != "-") {
      char resolved[PATH_MAX];
      if (realpath(path.c_str(), resolved) != nullptr) result.config_file = resolved;
    }
    if (!collect_lines(content, path, 0, &lines, &result.error)) {
      result.ok = false;
      return result;
    }
    first_override = 2;
  }
  std::vector<Line> overrides;
  if (!override_lines(argc, argv, first_override, &overrides, &result.error)) {
    result.ok = false;
    return result;
  }
  lines.insert(lines.end(), overrides.begin(), overrides.end());
  if (!apply_lines(lines, config, &result.error)) result.ok = false;
  return result;
}

}  // namespace cachet::config
