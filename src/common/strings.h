#pragma once
// Conversions whose exact acceptance rules are part of Redis's wire contract: "12 " or "+1"
// are not integers to Redis, and INCRBYFLOAT prints doubles its own way. Keep them in one place.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cachet {

// Strict integer parse as Redis's string2ll: optional '-', no spaces, no '+', no leading zeros.
bool parse_int64(std::string_view s, int64_t* out);
// Parse a long double as INCRBYFLOAT accepts it: no spaces, no NaN.
bool parse_long_double(std::string_view s, long double* out);
// Parse a double (for timeouts and floats in arguments); accepts inf, rejects NaN and spaces.
bool parse_double(std::string_view s, double* out);

// Writes the decimal form of v into buf (needs 21 bytes); returns the length.
size_t format_int64(int64_t v, char* buf);
std::string int64_to_string(int64_t v);
// The "human friendly" long double form INCRBYFLOAT replies with: no exponent, trailing zeros
// trimmed. Returns false when the value is not finite.
bool format_long_double(long double v, std::string* out);
// Shortest round-tripping form ("0.1"), as Valkey 8 prints doubles; inf as "inf"/"-inf".
std::string format_double(double v);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

}  // namespace cachet
