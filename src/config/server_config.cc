#include "config/server_config.h"

#include "common/strings.h"

namespace cachet::config {

bool parse_memory(const std::string& text, int64_t* out) {
  std::string s = to_lower(text);
  struct Unit {
    const char* suffix;
    int64_t mul;
  };
  static constexpr Unit kUnits[] = {{"gb", 1024LL * 1024 * 1024}, {"mb", 1024LL * 1024},
                                    {"kb", 1024},                 {"g", 1000LL * 1000 * 1000},
                                    {"m", 1000LL * 1000},         {"k", 1000},
                                    {"b", 1}};
  int64_t mul = 1;
  for (const Unit& u : kUnits) {
    std::string_view suffix(u.suffix);
    if (s.size() > suffix.size() && s.ends_with(suffix)) {
      s.resize(s.size() - suffix.size());
      mul = u.mul;
      break;
    }
  }
  int64_t v;
  if (!parse_int64(s, &v) || v < 0) return false;
  if (v != 0 && mul > INT64_MAX / v) return false;
  *out = v * mul;
  return true;
}

}  // namespace cachet::config
