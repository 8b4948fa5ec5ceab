#include "common/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace cachet {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kNotice};
std::atomic<char> g_role{'M'};
std::mutex g_mutex;  // serialises writers and guards g_file
FILE* g_file = nullptr;  // nullptr = stdout

constexpr std::string_view kLevelNames[] = {"debug", "verbose", "notice", "warning", "nothing"};
constexpr char kLevelChars[] = {'.', '-', '*', '#'};

}  // namespace

bool parse_log_level(std::string_view name, LogLevel* out) {
  for (int i = 0; i < 5; ++i) {
    if (name.size() == kLevelNames[i].size() &&
        std::equal(name.begin(), name.end(), kLevelNames[i].begin(),
                   [](char a, char b) { return std::tolower(a) == b; })) {
      *out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

std::string_view log_level_name(LogLevel level) { return kLevelNames[static_cast<int>(level)]; }

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }
void set_log_role(char role) { g_role = role; }

bool set_log_file(const std::string& path, std::string* error) {
  FILE* next = nullptr;
  if (!path.empty()) {
    next = std::fopen(path.c_str(), "a");
    if (next == nullptr) {
      if (error) *error = fmt::format("Can't open the log file: {}", std::strerror(errno));
      return false;
    }
  }
  std::lock_guard lock(g_mutex);
  if (g_file != nullptr) std::fclose(g_file);
  g_file = next;
  return true;
}

void log_line(LogLevel level, std::string_view message) {
  if (level < g_level || level == LogLevel::kNothing) return;
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm local;
  localtime_r(&tv.tv_sec, &local);
  char stamp[64];
  size_t n = std::strftime(stamp, sizeof stamp, "%d %b %Y %H:%M:%S", &local);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03d", static_cast<int>(tv.tv_usec / 1000));
  std::string line = fmt::format("{}:{} {} {} {}\n", getpid(), g_role.load(), stamp,
                                 kLevelChars[static_cast<int>(level)], message);
  std::lock_guard lock(g_mutex);
  FILE* out = g_file != nullptr ? g_file : stdout;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

void log_raw(std::string_view text) {
  std::lock_guard lock(g_mutex);
  FILE* out = g_file != nullptr ? g_file : stdout;
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

}  // namespace cachet
