#pragma once
// CONFIG REWRITE: rewrites the config file in place with the running values, keeping comments,
// order and unrelated lines, as Valkey does. Directives at their default that the file never
// mentioned are not added.
#include <string>

#include "config/server_config.h"

namespace cachet::config {

// Returns false with a reason when the file cannot be read or replaced.
bool rewrite_config_file(const std::string& path, const ServerConfig& config, std::string* error);

}  // namespace cachet::config
