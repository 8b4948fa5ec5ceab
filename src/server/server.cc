#include "server/server.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "commands/families.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/version.h"
#include <fmt/format.h>
#include "server/client.h"
#include "server/server_families.h"
#include "store/hash.h"
#include "store/memory.h"

namespace cachet::server {
namespace {

std::atomic<int> g_shutdown_signal{0};
// Set from the first signal until the shutdown it asked for has failed or finished.
std::atomic<bool> g_shutdown_pending{false};
// The temporary file a foreground save writes (temp-<pid>.rdb, in `dir`, the working
// directory), made ready before any signal can arrive: a handler may not allocate.
char g_temp_rdb[64];

void on_shutdown_signal(int sig) {
  // A second SIGINT while the first one's save is still running, as Valkey: the operator
  // insists, so leave now, without the half-written snapshot.
  if (sig == SIGINT && g_shutdown_pending.load()) {
    static const char kMessage[] = "You insist... exiting now.\n";
    ssize_t ignored = write(STDOUT_FILENO, kMessage, sizeof kMessage - 1);
    (void)ignored;
    unlink(g_temp_rdb);
    _exit(1);
  }
  g_shutdown_pending = true;
  g_shutdown_signal = sig;
}

}  // namespace

Server::Server(config::ServerConfig config, std::string config_file)
    : config_(std::move(config)), config_file_(std::move(config_file)) {
  pid_ = getpid();
  std::random_device rd;
  store::set_hash_seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
  engine_ = std::make_unique<commands::Engine>(&config_);
  notifier_ = std::make_unique<KeyspaceNotifier>(engine_.get());
  engine_->event_sink = notifier_.get();
  persistence_ = std::make_unique<Persistence>(*engine_);
  engine_->after_flushall = [this] {
    persistence_->kill_bgsave();
    std::string error;
    if (!config_.save.empty()) persistence_->save(now_ms(), &error);
  };
  tls_reloader_ = std::make_unique<net::TlsReloader>(
      &loop_, [this](std::shared_ptr<net::TlsContext> next, const std::string& error) {
        on_tls_reload(std::move(next), error);
      });
  engine_->stats.start_time_us = now_us();
  engine_->memory_config_changed();
  commands::register_data_commands(engine_->commands);
  register_server_families(*this, engine_->commands);
}

Server::~Server() {
  tls_reloader_.reset();  // joins its thread before anything it could post to goes away
  clients_.clear();
  engine_->event_sink = nullptr;
}

void Server::install_signal_handlers() {
  std::snprintf(g_temp_rdb, sizeof g_temp_rdb, "temp-%d.rdb", static_cast<int>(pid_));
  struct sigaction sa {};
  sa.sa_handler = on_shutdown_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void Server::write_pid_file() {
  if (config_.pidfile.empty()) return;
  std::ofstream out(config_.pidfile);
  if (out) {
    out << pid_ << "\n";
  } else {
    CACHET_LOG_WARNING("Failed to write PID file: {}", std::strerror(errno));
  }
}

// The start-up banner. Tools (the Valkey test harness among them) find the PID in it.
void Server::log_banner() {
  if (config_.always_show_logo || (config_.logfile.empty() && isatty(STDOUT_FILENO))) {
    std::string ports = fmt::format("port {}", config_.port);
    if (config_.tls_port > 0) ports += fmt::format(", tls-port {}", config_.tls_port);
    log_raw(fmt::format(
        "\n   .--------.   Cachet {} (Valkey {} compatible)\n"
        "  /  cachet  \\  Running in standalone mode\n"
        "  \\  ======  /  {}\n"
        "   '--------'   PID: {}\n\n",
        CACHET_VERSION_STRING, CACHET_VALKEY_COMPAT_VERSION, ports, pid_));
  }
  CACHET_LOG_NOTICE("Running mode=standalone, port={}.", config_.port);
}

int Server::run() {
  install_signal_handlers();
  CACHET_LOG_NOTICE("Cachet {} (Valkey {} compatible) starting, pid={}", CACHET_VERSION_STRING,
                    CACHET_VALKEY_COMPAT_VERSION, pid_);
  if (config_file_.empty()) {
    CACHET_LOG_WARNING("No config file specified, using the default config.");
  } else {
    CACHET_LOG_NOTICE("Configuration loaded from {}", config_file_);
  }
  std::string error;
  if (!open_listeners(&error)) {
    CACHET_LOG_WARNING("{}", error);
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  write_pid_file();
  // The banner (with the PID tools look for) comes before loading, which may fail.
  log_banner();
  CACHET_LOG_NOTICE("Server initialized");
  if (!persistence_->begin_startup_load(now_ms(), &error)) {
    CACHET_LOG_WARNING("Fatal error loading the DB: {}. Exiting.", error);
    if (!config_.logfile.empty()) {  // otherwise the log is on stdout already
      std::fprintf(stderr, "Fatal error loading the DB: %s. Exiting.\n", error.c_str());
    }
    return 1;
  }
  loop_.set_before_sleep([this] { return before_sleep(); });
  loop_.set_periodic([this] { return std::max<int64_t>(1, 1000 / config_.hz); },
                     [this] { cron(); });
  std::string ready = "Ready to accept connections";
  if (plain_) ready += " tcp";
  if (tls_listener_) ready += " tls";
  if (unix_) ready += " unix";
  CACHET_LOG_NOTICE("{}", ready);
  startup_memory_ = store::allocated_bytes();
  loop_.run();
  CACHET_LOG_WARNING("User requested shutdown...");
  for (auto& [id, client] : clients_) client->flush();
  clients_.clear();
  if (!config_.pidfile.empty()) ::unlink(config_.pidfile.c_str());
  plain_.reset();
  tls_listener_.reset();
  unix_.reset();
  CACHET_LOG_WARNING("Cachet is now ready to exit, bye bye...");
  return exit_code_;
}

Client* Server::find_client(uint64_t id) {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.get();
}

void Server::schedule_write(Client* c) {
  if (c->write_pending) return;
  c->write_pending = true;
  pending_writes_.push_back(c);
}

void Server::schedule_free(Client* c) { to_free_.push_back(c); }

void Server::add_paused(Client* c) { paused_clients_.push_back(c->id()); }

bool Server::pause_blocks(uint32_t flags) const {
  if (pause_mode_ == PauseMode::kNone) return false;
  if (pause_mode_ == PauseMode::kAll) return true;
  return (flags & commands::kWrite) != 0;
}

void Server::pause(PauseMode mode, int64_t until_ms) {
  // A later pause can extend or strengthen an earlier one, never shorten it.
  if (pause_mode_ == PauseMode::kAll && mode == PauseMode::kWrite) mode = PauseMode::kAll;
  pause_mode_ = mode;
  pause_until_ms_ = std::max(pause_until_ms_, until_ms);
  // Both pause modes freeze the dataset, so neither may evict (as Valkey).
  engine_->evictions_paused = true;
}

void Server::apply_memory_limits() {
  engine_->memory_config_changed();
  if (config_.maxmemory == 0) return;
  size_t used = store::allocated_bytes();
  if (static_cast<size_t>(config_.maxmemory) < used) {
    CACHET_LOG_WARNING(
        "WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current "
        "memory usage ({}). This will result in key eviction and/or the inability to accept "
        "new write commands depending on the maxmemory-policy.",
        config_.maxmemory, used);
  }
  // Evict from the next loop iteration on, not only when the next command arrives.
  engine_->eviction.start_background();
}

void Server::unpause() {
  pause_mode_ = PauseMode::kNone;
  engine_->evictions_paused = false;
  pause_until_ms_ = 0;
  std::vector<uint64_t> waiting;
  waiting.swap(paused_clients_);
  for (uint64_t id : waiting) {
    if (Client* c = find_client(id)) c->resume();
  }
}

void Server::serve_blocked_clients() {
  if (!engine_->blocking.has_ready()) return;
  engine_->blocking.serve_ready([this](int db, std::string_view key, store::ValueType type) {
    store::Entry* e = engine_->keyspace.db(static_cast<size_t>(db)).lookup(key, now_ms(), false);
    return e != nullptr && e->value.type() == type;
  });
}

bool Server::before_sleep() {
  if (int sig = g_shutdown_signal.exchange(0); sig != 0) {
    CACHET_LOG_WARNING("Received {} scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
    // A signal saves when save points are configured, as Valkey, unless shutdown-on-sigterm
    // (-sigint) says otherwise; a half-loaded dataset never overwrites the dump it came from.
    uint32_t flags = sig == SIGINT ? config_.shutdown_on_sigint : config_.shutdown_on_sigterm;
    bool save = (flags & config::kShutdownSave) != 0 ||
                (!config_.save.empty() && (flags & config::kShutdownNoSave) == 0);
    if (loading() || prepare_shutdown(save, (flags & config::kShutdownForce) != 0)) {
      shutdown_requested_ = true;
    } else {
      g_shutdown_pending = false;
      CACHET_LOG_WARNING("Errors trying to shut down the server. Check the logs for more "
                         "information.");
    }
  }
  if (shutdown_requested_) {
    loop_.stop();
    return false;
  }
  bool handshakes_waiting = handshake_budget_.run_deferred();
  bool still_loading = false;
  if (loading()) {
    // A slice of the dump per loop iteration: clients are answered (-LOADING) in between.
    std::string error;
    if (!persistence_->load_step(50'000, &error)) {
      // At once, as Valkey: no client may be served from a dataset that failed to load, and
      // nothing may be saved over the files it came from.
      CACHET_LOG_WARNING("{}", error);
      if (!config_.logfile.empty()) std::fprintf(stderr, "%s\n", error.c_str());
      std::exit(1);
    }
    still_loading = loading();
  }
  // An unfinished eviction pass continues between events, one time-bounded slice each
  // iteration, until memory is under the limit or nothing is left to evict.
  bool evicting = false;
  if (engine_->eviction.running()) {
    evicting = engine_->eviction.perform(*engine_) == commands::EvictResult::kRunning;
  }
  // Clients blocked on keys written in this iteration get their turn before replies go out.
  serve_blocked_clients();
  // The AOF holds every write of this iteration before any reply acknowledges one.
  persistence_->flush_aof();
  // One pass writes every reply produced in this iteration. The two vectors trade places so
  // their capacity is reused: no allocation per loop iteration.
  writing_.swap(pending_writes_);
  for (Client* c : writing_) {
    c->write_pending = false;
    if (!c->closing()) c->flush();
  }
  writing_.clear();
  free_closed_clients();
  return handshakes_waiting || still_loading || evicting;
}

void Server::free_closed_clients() {
  while (!to_free_.empty()) {
    std::vector<Client*> batch;
    batch.swap(to_free_);
    for (Client* c : batch) {
      if (c->write_pending) {
        // Drop it from the pending list before it goes away.
        std::erase(pending_writes_, c);
      }
      if (current_client_ == c) current_client_ = nullptr;
      clients_.erase(c->id());
    }
  }
}

void Server::close_timed_out_clients(int64_t now_ms) {
  for (auto& [id, client] : clients_) {
    if (client->closing()) continue;
    if (client->connection().handshaking()) {
      if (now_ms - client->created_ms() > config_.tls_handshake_timeout) {
        count_tls_handshake_failure("timeout");
        client->close("TLS handshake timed out");
      }
      continue;
    }
    if (config_.timeout > 0 && !client->blocked_by_pause() && !client->blocked() &&
        now_ms - client->last_interaction_ms() > config_.timeout * 1000) {
      CACHET_LOG_VERBOSE("Closing idle client id={}", id);
      client->close("idle timeout");
    }
  }
}

void Server::cron() {
  ++cron_ticks_;
  int64_t now = now_ms();
  if (engine_->active_expire_enabled) {
    // A quarter of a tick at the default effort (1), more as active-expire-effort rises to 10.
    int64_t percent = 25 + 2 * (config_.active_expire_effort - 1);
    int64_t budget_us = percent * 10000 / std::max<int64_t>(1, config_.hz);
    engine_->keyspace.active_expire_cycle(now, monotonic_us() + budget_us);
  }
  // Not while loading: the loader sized the tables for what is coming (RESIZEDB), and a
  // shrink of the still sparse table would undo that and rehash all the way up again (a 10M
  // key load took 66 s instead of 9).
  if (!loading()) engine_->keyspace.periodic_maintenance();
  store::note_peak();
  close_timed_out_clients(now);
  engine_->blocking.expire_timeouts(now);
  tls_cron(now);
  if (pause_mode_ != PauseMode::kNone && now >= pause_until_ms_) unpause();
  if (!loading()) persistence_->cron(now);
}

bool Server::prepare_shutdown(bool save, bool force) {
  // AOF was just enabled and its first base is still being written: without it the AOF
  // holds nothing, and a restart with appendonly yes would come back empty. As Valkey, only
  // FORCE exits anyway.
  if (persistence_->writing_first_aof_base() && !force) {
    CACHET_LOG_WARNING("Writing initial AOF, can't exit.");
    return false;
  }
  persistence_->kill_child();
  persistence_->sync_aof();
  if (!save) return true;
  CACHET_LOG_NOTICE("Saving the final RDB snapshot before exiting.");
  std::string error;
  if (persistence_->save(now_ms(), &error)) return true;
  CACHET_LOG_WARNING("{}", force ? "Error trying to save the DB. Exit anyway."
                                 : "Error trying to save the DB, can't exit.");
  return force;
}

}  // namespace cachet::server
