#pragma once
// Glob-style matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE):
// * ? [abc] [^a-z] and backslash escapes.
#include <string_view>

namespace cachet {

bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace cachet
