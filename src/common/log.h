#pragma once
// Logging in Valkey's line format: "pid:role dd Mon yyyy hh:mm:ss.mmm <level> message",
// with the level chars Valkey uses ('.' debug, '-' verbose, '*' notice, '#' warning), so that
// operators' log parsers and the Valkey test suite read our logs unchanged.
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace cachet {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3, kNothing = 4 };

// Parses "debug|verbose|notice|warning|nothing"; returns false on an unknown name.
bool parse_log_level(std::string_view name, LogLevel* out);
std::string_view log_level_name(LogLevel level);

// Process-wide log settings. The engine thread owns them; background threads only log.
void set_log_level(LogLevel level);
LogLevel log_level();
// Empty path means standard output. Returns false (and keeps the old target) when the file
// cannot be opened.
bool set_log_file(const std::string& path, std::string* error);
void set_log_role(char role);

void log_line(LogLevel level, std::string_view message);
// Writes text to the log target as is, without the line prefix (the start-up banner).
void log_raw(std::string_view text);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (level < log_level()) return;
  log_line(level, fmt::format(format, std::forward<Args>(args)...));
}

#define CACHET_LOG_DEBUG(...) ::cachet::log(::cachet::LogLevel::kDebug, __VA_ARGS__)
#define CACHET_LOG_VERBOSE(...) ::cachet::log(::cachet::LogLevel::kVerbose, __VA_ARGS__)
#define CACHET_LOG_NOTICE(...) ::cachet::log(::cachet::LogLevel::kNotice, __VA_ARGS__)
#define CACHET_LOG_WARNING(...) ::cachet::log(::cachet::LogLevel::kWarning, __VA_ARGS__)

}  // namespace cachet
