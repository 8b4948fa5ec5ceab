#pragma once
// Builds a ServerConfig from `cachet-server [file] [--name value ...]`: the file first (with
// valkey.conf quoting and `include`), then the overrides, which win. A bad line yields the
// Valkey-style fatal report naming the file, the line, the directive and the reason.
#include <string>
#include <string_view>

#include "config/server_config.h"

namespace cachet::config {

struct LoadResult {
  bool ok = true;
  std::string error;        // the whole report, ready to print
  std::string config_file;  // absolute path of the main file, "" when none (for REWRITE)
};

LoadResult load_from_args(int argc, const char* const* argv, ServerConfig* config);
// Parses valkey.conf text; `source` names it in errors. Exposed for tests and `include`.
LoadResult load_from_text(std::string_view text, const std::string& source, ServerConfig* config);

}  // namespace cachet::config
