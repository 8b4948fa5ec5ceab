#include "common/strings.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cachet {

bool parse_int64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return false;
  }
  if (s[i] == '0') {
    if (s.size() == 1) {
      *out = 0;
      return true;
    }
    return false;  // leading zero or "-0"
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

namespace {
// strto* want a NUL-terminated string and skip leading spaces; Redis rejects spaces.
bool copy_number(std::string_view s, char* buf, size_t cap) {
  if (s.empty() || s.size() >= cap) return false;
  if (std::isspace(static_cast<unsigned char>(s.front()))) return false;
  // strto* would stop at an embedded NUL and accept "1\0junk".
  if (std::memchr(s.data(), '\0', s.size()) != nullptr) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return true;
}
}  // namespace

bool parse_long_double(std::string_view s, long double* out) {
  char buf[5120];
  if (!copy_number(s, buf, sizeof buf)) return false;
  char* end;
  errno = 0;
  long double v = std::strtold(buf, &end);
  if (*end != '\0' || std::isnan(v) || errno == ERANGE) return false;
  *out = v;
  return true;
}

bool parse_double(std::string_view s, double* out) {
  char buf[5120];
  if (!copy_number(s, buf, sizeof buf)) return false;
  char* end;
  errno = 0;
  double v = std::strtod(buf, &end);
  if (*end != '\0' || std::isnan(v) || errno == ERANGE) return false;
  *out = v;
  return true;
}

size_t format_int64(int64_t v, char* buf) {
  char tmp[24];
  size_t n = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  size_t len = 0;
  if (v < 0) buf[len++] = '-';
  while (n > 0) buf[len++] = tmp[--n];
  return len;
}

std::string int64_to_string(int64_t v) {
  char buf[24];
  return std::string(buf, format_int64(v, buf));
}

bool format_long_double(long double v, std::string* out) {
  if (!std::isfinite(v)) return false;
  char buf[5200];
  int n = std::snprintf(buf, sizeof buf, "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return false;
  if (std::strchr(buf, '.') != nullptr) {
    while (n > 0 && buf[n - 1] == '0') --n;
    if (n > 0 && buf[n - 1] == '.') --n;
  }
  if (n == 2 && buf[0] == '-' && buf[1] == '0') {  // "-0" reads as 0 to people and to Redis
    buf[0] = '0';
    n = 1;
  }
  out->assign(buf, n);
  return true;
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Integral values in the range where the cast is exact print as integers, as Valkey does
  // ("5000000000", not "5e+09").
  constexpr double kIntegerLimit = static_cast<double>(INT64_MAX / 2);
  if (v >= -kIntegerLimit && v <= kIntegerLimit) {
    auto i = static_cast<int64_t>(v);
    if (static_cast<double>(i) == v) return int64_to_string(i);
  }
  // Shortest text that reads back as the same double ("0.1", not "0.10000000000000001"),
  // as Valkey 8 prints doubles.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

}  // namespace cachet
