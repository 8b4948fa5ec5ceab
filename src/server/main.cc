// cachet-server [config-file] [--directive value ...]
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "common/log.h"
#include "common/version.h"
#include "config/config_loader.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace cachet;
  if (argc == 2 && (std::string_view(argv[1]) == "-v" || std::string_view(argv[1]) == "--version")) {
    std::printf("Cachet server v=%s (Valkey %s compatible)\n", CACHET_VERSION_STRING,
                CACHET_VALKEY_COMPAT_VERSION);
    return 0;
  }
  if (argc == 2 && (std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help")) {
    std::printf("Usage: cachet-server [/path/to/cachet.conf] [--directive value ...]\n"
                "       cachet-server --port 7777 --tls-port 7778 --tls-cert-file c.crt ...\n");
    return 0;
  }
  config::ServerConfig cfg;
  config::LoadResult loaded = config::load_from_args(argc, argv, &cfg);
  if (!loaded.ok) {
    std::fprintf(stderr, "%s", loaded.error.c_str());
    return 1;
  }
  LogLevel level = LogLevel::kNotice;
  parse_log_level(cfg.loglevel, &level);
  set_log_level(level);
  std::string error;
  if (!set_log_file(cfg.logfile, &error)) {
    std::fprintf(stderr, "%s: %s\n", cfg.logfile.c_str(), error.c_str());
    return 1;
  }
  if (cfg.daemonize && daemon(1, 0) != 0) {
    std::fprintf(stderr, "Cannot daemonize: %s\n", std::strerror(errno));
    return 1;
  }
  if (!cfg.dir.empty() && chdir(cfg.dir.c_str()) != 0) {
    std::fprintf(stderr, "Can't chdir to '%s': %s\n", cfg.dir.c_str(), std::strerror(errno));
    return 1;
  }
  server::Server srv(std::move(cfg), loaded.config_file);
  return srv.run();
}
