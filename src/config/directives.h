#pragma once
// The table of every directive Cachet understands.
#include <string_view>
#include <vector>

#include "config/directive.h"

namespace cachet::config {

const std::vector<Directive>& directives();
const Directive* find_directive(std::string_view name);

}  // namespace cachet::config
