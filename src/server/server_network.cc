// The Server's network side: listeners, TLS context (re)loading, accepting clients, and the
// runtime apply hooks for network and TLS directives.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/clock.h"
#include "common/log.h"
#include "net/socket_util.h"
#include "net/tcp_connection.h"
#include "net/tls_connection.h"
#include "server/client.h"
#include "server/server.h"

namespace cachet::server {
namespace {

net::TlsSettings tls_settings_from(const config::ServerConfig& c) {
  net::TlsSettings s;
  s.cert_file = c.tls_cert_file;
  s.key_file = c.tls_key_file;
  s.key_pass = c.tls_key_file_pass;
  s.client_cert_file = c.tls_client_cert_file;
  s.client_key_file = c.tls_client_key_file;
  s.client_key_pass = c.tls_client_key_file_pass;
  s.ca_cert_file = c.tls_ca_cert_file;
  s.ca_cert_dir = c.tls_ca_cert_dir;
  s.dh_params_file = c.tls_dh_params_file;
  switch (c.tls_auth_clients) {
    case config::TlsAuthClients::kNo: s.client_auth = net::ClientAuth::kNone; break;
    case config::TlsAuthClients::kYes: s.client_auth = net::ClientAuth::kRequired; break;
    case config::TlsAuthClients::kOptional: s.client_auth = net::ClientAuth::kOptional; break;
  }
  s.protocols = c.tls_protocols;
  s.ciphers = c.tls_ciphers;
  s.ciphersuites = c.tls_ciphersuites;
  s.prefer_server_ciphers = c.tls_prefer_server_ciphers;
  s.session_caching = c.tls_session_caching;
  s.session_cache_size = c.tls_session_cache_size;
  s.session_cache_timeout = c.tls_session_cache_timeout;
  return s;
}

// Protected mode applies while the default user has no password, whatever the bind list.
bool protected_mode_applies(const config::ServerConfig& c) {
  return c.protected_mode && c.requirepass.empty();
}

constexpr std::string_view kProtectedModeError =
    "DENIED Running in protected mode because protected mode is enabled and no password is set "
    "for the default user. In this mode connections are only accepted from the loopback "
    "interface. To accept remote connections either set a password (requirepass), bind to "
    "specific addresses (bind), or disable protected mode ('CONFIG SET protected-mode no' from "
    "the loopback interface, or '--protected-mode no' at start-up) once the server is not "
    "reachable from untrusted networks.";

}  // namespace

bool Server::open_listeners(std::string* error) {
  if (config_.port == 0 && config_.tls_port == 0 && config_.unixsocket.empty()) {
    CACHET_LOG_WARNING("Configured to not listen anywhere, exiting.");
    *error = "Configured to not listen anywhere (port 0, tls-port 0, no unixsocket)";
    return false;
  }
  if (config_.tls_port > 0 && !apply_tls(error)) return false;
  if (!apply_listeners(error)) return false;
  if (!config_.unixsocket.empty()) {
    unix_ = std::make_unique<net::Listener>(&loop_,
                                            [this](int fd) { accept_client(fd, false, true); });
    if (!unix_->open_unix(config_.unixsocket, static_cast<int>(config_.unixsocketperm),
                          static_cast<int>(config_.tcp_backlog), error)) {
      return false;
    }
  }
  return true;
}

// Brings the plaintext and TLS listeners in line with the config: opens, closes or moves them.
// On failure the listeners that were open stay open.
bool Server::apply_listeners(std::string* error) {
  auto reconcile = [&](std::unique_ptr<net::Listener>& slot, int64_t port, bool tls) {
    if (port == 0) {
      if (slot) CACHET_LOG_NOTICE("Closing {} listener", tls ? "TLS" : "plaintext");
      slot.reset();
      return true;
    }
    if (tls && !tls_ && !apply_tls(error)) return false;
    auto next = std::make_unique<net::Listener>(
        &loop_, [this, tls](int fd) { accept_client(fd, tls, false); });
    std::string open_error;
    if (!next->open_tcp(config_.bind, static_cast<int>(port),
                        static_cast<int>(config_.tcp_backlog), &open_error)) {
      // Same port, new bind addresses: the old sockets hold the port, so release them first.
      if (slot && slot->port() == port) {
        slot.reset();
        if (next->open_tcp(config_.bind, static_cast<int>(port),
                           static_cast<int>(config_.tcp_backlog), &open_error)) {
          slot = std::move(next);
          return true;
        }
      }
      *error = open_error;
      return false;
    }
    CACHET_LOG_NOTICE("Listening for {} connections on port {}", tls ? "TLS" : "plaintext", port);
    slot = std::move(next);
    return true;
  };
  return reconcile(plain_, config_.port, false) && reconcile(tls_listener_, config_.tls_port, true);
}

bool Server::apply_tls(std::string* error) {
  bool tls_wanted = config_.tls_port > 0 || config_.tls_replication || config_.tls_cluster;
  if (!tls_wanted && config_.tls_cert_file.empty()) {
    tls_.reset();
    return true;
  }
  std::string why;
  net::TlsSettings settings = tls_settings_from(config_);
  std::shared_ptr<net::TlsContext> next = net::TlsContext::create(settings, &why);
  tls_stats_.last_reload_time = now_ms() / 1000;
  if (!next) {
    if (tls_) {
      ++tls_stats_.reload_failures;
      tls_stats_.last_reload_status = "failed";
      tls_stats_.last_reload_error = why;
    }
    *error = why;
    return false;
  }
  if (tls_) ++tls_stats_.reloads;
  tls_stats_.last_reload_status = "ok";
  tls_stats_.last_reload_error.clear();
  tls_ = std::move(next);
  tls_reloader_->configure(settings, config_.tls_auto_reload_interval);
  warn_if_certificates_expire(now_ms());
  CACHET_LOG_NOTICE("TLS material loaded: {} (serial {}, expires {})",
                    tls_->server_certificate().subject, tls_->server_certificate().serial,
                    tls_->server_certificate().not_after);
  return true;
}

bool Server::apply_logging(std::string* error) {
  LogLevel level;
  if (!parse_log_level(config_.loglevel, &level)) {
    *error = "invalid log level";
    return false;
  }
  set_log_level(level);
  return true;
}

bool Server::apply(config::ApplyGroup group, std::string* error) {
  switch (group) {
    case config::ApplyGroup::kNone: return true;
    case config::ApplyGroup::kListeners: {
      std::string detail;
      if (apply_listeners(&detail)) return true;
      CACHET_LOG_WARNING("{}", detail);
      // Valkey's wording, which clients and its tests match; the log has the detail.
      *error = detail.starts_with("Invalid bind address")
                   ? "Failed to bind to specified addresses."
                   : "Unable to listen on this port. Check server logs.";
      return false;
    }
    case config::ApplyGroup::kTls: {
      std::string detail;
      if (apply_tls(&detail)) return true;
      CACHET_LOG_WARNING("Unable to update TLS configuration: {}", detail);
      // Valkey's prefix, then the fault itself so the operator need not open the log.
      *error = "Unable to update TLS configuration. " + detail;
      return false;
    }
    case config::ApplyGroup::kLogging: return apply_logging(error);
    case config::ApplyGroup::kDir:
      if (::chdir(config_.dir.c_str()) != 0) {
        *error = fmt::format("changing directory: {}", std::strerror(errno));
        return false;
      }
      return true;
    case config::ApplyGroup::kMaxclients: return true;
    case config::ApplyGroup::kMaxmemory:
      apply_memory_limits();
      return true;
    case config::ApplyGroup::kAppendonly:
      return persistence_->apply_aof_config(now_ms(), error);
  }
  return true;
}

void Server::accept_client(int fd, bool tls, bool unix_socket) {
  ++engine_->stats.total_connections_received;
  std::unique_ptr<net::Connection> conn;
  if (tls) {
    conn = std::make_unique<net::TlsConnection>(&loop_, fd, tls_, &handshake_budget_);
  } else {
    conn = std::make_unique<net::TcpConnection>(&loop_, fd, unix_socket);
  }
  if (!unix_socket) net::set_tcp_options(fd, static_cast<int>(config_.tcp_keepalive));
  std::string peer, local;
  bool loopback = false;
  net::describe_socket(fd, &peer, &local, &loopback);
  conn->set_addresses(std::move(peer), std::move(local), loopback);

  uint64_t id = next_client_id();
  auto client = std::make_unique<Client>(this, std::move(conn), id);
  Client* raw = client.get();
  bool too_many = static_cast<int64_t>(clients_.size()) >= config_.maxclients;
  clients_.emplace(id, std::move(client));
  if (!raw->connection().start()) {
    raw->close("cannot register with the event loop");
    return;
  }
  if (too_many) {
    ++engine_->stats.rejected_connections;
    raw->reject("ERR max number of clients reached");
    return;
  }
  if (!loopback && protected_mode_applies(config_)) {
    CACHET_LOG_WARNING("Possible SECURITY ATTACK detected: connection from {} refused by "
                       "protected mode", raw->connection().peer_address());
    ++engine_->stats.rejected_connections;
    raw->reject(kProtectedModeError);
    return;
  }
  raw->connection().want_read(true);
}

}  // namespace cachet::server
