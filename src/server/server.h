#pragma once
// The running server: event loop, listeners, TLS context, clients and the engine. One thread
// (the engine thread) runs all of it; background threads only post results back to the loop.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands/engine.h"
#include "config/directive.h"
#include "config/server_config.h"
#include "net/connection.h"
#include "net/event_loop.h"
#include "net/handshake_budget.h"
#include "net/listener.h"
#include "net/tls_context.h"
#include "net/tls_reloader.h"
#include "server/keyspace_notifier.h"
#include "server/persistence.h"
#include "server/tls_stats.h"

namespace cachet::server {

class Client;

// What a CLIENT PAUSE holds back.
enum class PauseMode { kNone, kWrite, kAll };

class Server {
 public:
  Server(config::ServerConfig config, std::string config_file);
  ~Server();

  // Opens listeners and serves until SHUTDOWN or a signal; returns the process exit code.
  int run();

  commands::Engine& engine() { return *engine_; }
  config::ServerConfig& config() { return config_; }
  const std::string& config_file() const { return config_file_; }
  const std::map<uint64_t, std::unique_ptr<Client>>& clients() const { return clients_; }
  Client* current_client() { return current_client_; }
  void set_current_client(Client* c) { current_client_ = c; }
  Client* find_client(uint64_t id);

  void schedule_write(Client* c);
  void schedule_free(Client* c);

  // CLIENT PAUSE: whether a command must wait, and the clients waiting.
  bool pause_blocks(uint32_t command_flags) const;
  // Re-runs the commands of clients blocked on keys written since the last call. Called after
  // every command, as Valkey does, so a client that pipelines a push and a pop does not jump
  // ahead of a client already waiting; and from before_sleep for writes made elsewhere.
  void serve_blocked_clients();
  void pause(PauseMode mode, int64_t until_ms);
  void unpause();
  void add_paused(Client* c);
  PauseMode pause_mode() const { return pause_mode_; }

  // Applies a runtime config change of the given group; false with a reason keeps nothing
  // changed (the caller restores the old values).
  bool apply(config::ApplyGroup group, std::string* error);
  void request_shutdown() { shutdown_requested_ = true; }
  // Before exiting: stops a background save and, when `save`, writes the snapshot. False when
  // that save failed and `force` is not set: the server must keep running.
  bool prepare_shutdown(bool save, bool force);
  Persistence& persistence() { return *persistence_; }
  bool loading() const { return persistence_->loading(); }

  std::shared_ptr<net::TlsContext> tls_context() const { return tls_; }
  int listening_port() const { return plain_ ? plain_->port() : 0; }
  int listening_tls_port() const { return tls_listener_ ? tls_listener_->port() : 0; }
  int64_t hz_ticks() const { return cron_ticks_; }
  // Bytes allocated once the server was up and serving nothing (INFO used_memory_startup).
  size_t startup_memory() const { return startup_memory_; }
  uint64_t next_client_id() { return ++last_client_id_; }
  int64_t pid() const { return pid_; }
  uint64_t blocked_clients() const { return engine_->blocking.blocked_count(); }
  TlsStats& tls_stats() { return tls_stats_; }
  // Handshake outcomes, reported by clients' connections.
  void count_tls_handshake(const net::Connection& conn);
  void count_tls_handshake_failure(std::string_view reason);

 private:
  bool open_listeners(std::string* error);
  bool apply_listeners(std::string* error);
  bool apply_tls(std::string* error);
  bool apply_logging(std::string* error);
  void apply_memory_limits();
  void accept_client(int fd, bool tls, bool unix_socket);
  bool before_sleep();
  void cron();
  void close_timed_out_clients(int64_t now_ms);
  void free_closed_clients();
  void install_signal_handlers();
  void on_tls_reload(std::shared_ptr<net::TlsContext> next, const std::string& error);
  void warn_if_certificates_expire(int64_t now_ms);
  void tls_cron(int64_t now_ms);
  void log_banner();
  void write_pid_file();

  config::ServerConfig config_;
  std::string config_file_;
  net::EventLoop loop_;
  std::unique_ptr<commands::Engine> engine_;
  std::unique_ptr<KeyspaceNotifier> notifier_;  // the engine's event sink
  std::unique_ptr<Persistence> persistence_;
  int exit_code_ = 0;
  std::unique_ptr<net::Listener> plain_;
  std::unique_ptr<net::Listener> tls_listener_;
  std::unique_ptr<net::Listener> unix_;
  std::shared_ptr<net::TlsContext> tls_;
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  std::vector<Client*> pending_writes_;
  std::vector<Client*> writing_;  // the batch before_sleep is flushing
  std::vector<Client*> to_free_;
  std::vector<uint64_t> paused_clients_;
  Client* current_client_ = nullptr;
  PauseMode pause_mode_ = PauseMode::kNone;
  int64_t pause_until_ms_ = 0;
  uint64_t last_client_id_ = 0;
  int64_t cron_ticks_ = 0;
  size_t startup_memory_ = 0;
  int64_t pid_ = 0;
  TlsStats tls_stats_;
  net::HandshakeBudget handshake_budget_{1000};  // microseconds of handshakes per iteration
  // Declared after the loop it posts to, so it is stopped before the loop goes away.
  std::unique_ptr<net::TlsReloader> tls_reloader_;
  bool shutdown_requested_ = false;
};

}  // namespace cachet::server
