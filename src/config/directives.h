#pragma once
// The table of every directive Cachet understands.
#include <string_view>
#include <vector>

#include "config/directive.h"

namespace cachet::config {

const std::vector<Directive>& directives();
const Directive* find_directive(std::string_view name);
// The current value of a directive as CONFIG GET prints it.
std::string directive_value(std::string_view name, const ServerConfig& config);

}  // namespace cachet::config
