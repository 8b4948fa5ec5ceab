#pragma once
// Splits an inline command or a config line the way redis-cli and Valkey do: spaces separate arguments,
// "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take \' only.
#include <string>
#include <string_view>
#include <vector>

namespace cachet {

// Returns false on unbalanced quotes (or a closing quote not followed by a space).
bool split_args(std::string_view line, std::vector<std::string>* out);
// The inverse: `s` in double quotes with the escapes split_args reads back as exactly `s`.
std::string quote_arg(std::string_view s);

}  // namespace cachet
