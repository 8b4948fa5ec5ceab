#include "server/persistence.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "commands/engine.h"
#include "commands/load_limits.h"
#include "common/clock.h"
#include "common/log.h"
#include "store/memory.h"

namespace cachet::server {

Persistence::Persistence(commands::Engine& engine)
    : engine_(engine), config_(engine.config), aof_(engine), last_save_s_(now_ms() / 1000) {}

Persistence::~Persistence() { kill_child(); }

std::string Persistence::path() const {
  // The process works in `dir` (main and CONFIG SET dir chdir there), as Valkey does.
  return config_.dbfilename;
}

persist::SaveOptions Persistence::save_options(int64_t now_ms) const {
  persist::SaveOptions o;
  o.compress = config_.rdbcompression;
  o.checksum = config_.rdbchecksum;
  o.now_ms = now_ms;
  o.key_delay_us = config_.rdb_key_save_delay > 0 ? config_.rdb_key_save_delay : 0;
  o.used_memory = store::allocated_bytes();
  return o;
}

namespace {

// "Loading RDB: 1219576 keys, 33.4 of 109.6 MB (30%), 32.9 MB/s", once a second.
void log_progress(std::string_view what, const std::string& count, uint64_t done,
                  uint64_t total, double elapsed_s) {
  double mb = static_cast<double>(done) / (1024.0 * 1024.0);
  CACHET_LOG_NOTICE("Loading {}: {}, {:.1f} of {:.1f} MB ({:.0f}%), {:.1f} MB/s", what, count, mb,
                    static_cast<double>(total) / (1024.0 * 1024.0),
                    100.0 * static_cast<double>(done) /
                        static_cast<double>(std::max<uint64_t>(1, total)),
                    elapsed_s > 0 ? mb / elapsed_s : 0.0);
}

}  // namespace

bool Persistence::begin_startup_load(int64_t now_ms, std::string* error) {
  if (!aof_.read_manifest(error)) return false;
  if (!config_.appendonly) return begin_loading(now_ms, error);
  // As Valkey: with appendonly on, the AOF is the dataset; a dump.rdb beside it is not read.
  std::vector<std::string> files = aof_.files_to_load();
  if (files.empty()) return aof_.open_after_load(error);
  auto loader = std::make_unique<AofLoader>(engine_, std::move(files), config_.aof_load_truncated);
  if (!loader->ok()) {
    *error = loader->error();
    return false;
  }
  loading_start_ms_ = now_ms;
  last_progress_log_ms_ = now_ms;
  aof_loader_ = std::move(loader);
  return true;
}

bool Persistence::aof_load_step(int64_t budget_us, std::string* error) {
  aof_loader_->step(budget_us);
  int64_t now = now_ms();
  if (!aof_loader_->ok()) {
    *error = aof_loader_->error();
    aof_loader_.reset();
    return false;
  }
  if (!aof_loader_->done()) {
    if (now - last_progress_log_ms_ >= 1000) {
      last_progress_log_ms_ = now;
      log_progress("AOF", fmt::format("{} commands", aof_loader_->commands_replayed()),
                   aof_loader_->bytes_read(), aof_loader_->total_bytes(),
                   static_cast<double>(now - loading_start_ms_) / 1000.0);
    }
    return true;
  }
  CACHET_LOG_NOTICE("DB loaded from append only file: {:.3f} seconds",
                    static_cast<double>(now - loading_start_ms_) / 1000.0);
  last_load_keys_loaded_ = engine_.keyspace.total_keys();
  aof_loader_.reset();
  engine_.dirty = 0;  // what was loaded is on disk already
  return aof_.open_after_load(error);
}

bool Persistence::reload_aof(std::string* error) {
  aof_.flush();
  // As Valkey: the manifest is read again from disk, and history files go.
  if (!aof_.read_manifest(error)) return false;
  aof_.delete_history();
  AofLoader loader(engine_, aof_.files_to_load(), config_.aof_load_truncated);
  while (loader.ok() && !loader.done()) loader.step(1'000'000);
  if (!loader.ok()) {
    *error = loader.error();
    return false;
  }
  engine_.dirty = 0;
  return true;
}

bool Persistence::begin_loading(int64_t now_ms, std::string* error, bool merge) {
  auto loader = std::make_unique<persist::SnapshotLoader>(
      path(), engine_.keyspace, commands::load_limits(config_), now_ms, true, merge);
  if (!loader->ok()) {
    *error = loader->error();
    return false;
  }
  if (!loader->exists()) return true;
  CACHET_LOG_NOTICE("Loading RDB produced by version {} ({} bytes)", loader->version(),
                    loader->file_size());
  loading_start_ms_ = now_ms;
  last_progress_log_ms_ = now_ms;
  loader_ = std::move(loader);
  return true;
}

bool Persistence::load_step(int64_t budget_us, std::string* error) {
  if (aof_loader_) return aof_load_step(budget_us, error);
  if (!loader_) return true;
  int64_t deadline = monotonic_us() + budget_us;
  // key-load-delay slows loading down key by key, so tests can watch a load in progress.
  int64_t delay_us = config_.key_load_delay;
  while (monotonic_us() < deadline && loader_->step(delay_us > 0 ? 1 : 1024)) {
    if (delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
  }
  int64_t now = now_ms();
  if (!loader_->ok()) {
    *error = loader_->error();
    loader_.reset();
    return false;
  }
  double elapsed_s = static_cast<double>(now - loading_start_ms_) / 1000.0;
  if (!loader_->done()) {
    if (now - last_progress_log_ms_ >= 1000) {
      last_progress_log_ms_ = now;
      log_progress("RDB", fmt::format("{} keys", loader_->keys_loaded()), loader_->bytes_read(),
                   loader_->file_size(), elapsed_s);
    }
    return true;
  }
  last_load_keys_loaded_ = loader_->keys_loaded();
  last_load_keys_expired_ = loader_->expired_skipped();
  CACHET_LOG_NOTICE("Done loading RDB, keys loaded: {}, keys expired: {}.",
                    last_load_keys_loaded_, last_load_keys_expired_);
  CACHET_LOG_NOTICE("DB loaded from disk: {:.3f} seconds", elapsed_s);
  loader_.reset();
  return true;
}

bool Persistence::load_all(int64_t now_ms, std::string* error, bool merge) {
  if (!begin_loading(now_ms, error, merge)) return false;
  while (loading()) {
    if (!load_step(1'000'000, error)) return false;
  }
  return true;
}

bool Persistence::save(int64_t now_ms, std::string* error) {
  if (bgsave_in_progress()) {
    *error = "ERR Background save already in progress";
    return false;
  }
  persist::SaveResult r = persist::save_snapshot(path(), engine_.keyspace, save_options(now_ms));
  if (!r.ok) {
    CACHET_LOG_WARNING("Failed saving the DB: {}", r.error);
    *error = "ERR";
    return false;
  }
  CACHET_LOG_NOTICE("DB saved on disk");
  engine_.dirty = 0;
  last_save_s_ = now_ms / 1000;
  last_bgsave_ok_ = true;  // a good foreground save clears a failed background one
  ++saves_;
  return true;
}

pid_t Persistence::fork_child(const std::function<bool(pid_t self)>& body) {
  pid_t parent = getpid();
  int64_t start = monotonic_us();
  pid_t pid = fork();
  if (pid > 0) {
    ++total_forks_;
    latest_fork_us_ = monotonic_us() - start;
  }
  if (pid != 0) return pid;
  // The child owns a copy-on-write view of the keyspace as it was at fork: write it and
  // leave without running the parent's destructors or flushing its buffers.
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  // A server killed mid-save takes its child with it, so an unfinished file is never
  // renamed over a previous good one.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
  _exit(body(getpid()) ? 0 : 1);
}

Persistence::BgsaveResult Persistence::bgsave(int64_t now_ms, std::string* error) {
  if (child_running()) return BgsaveResult::kInProgress;
  last_bgsave_try_s_ = now_ms / 1000;
  persist::SaveOptions options = save_options(now_ms);
  pid_t pid = fork_child([this, &options](pid_t) {
    return persist::save_snapshot(path(), engine_.keyspace, options).ok;
  });
  if (pid < 0) {
    *error = std::string("Can't save in background: fork: ") + std::strerror(errno);
    CACHET_LOG_WARNING("{}", *error);
    last_bgsave_ok_ = false;
    return BgsaveResult::kFailed;
  }
  CACHET_LOG_NOTICE("Background saving started by pid {}", pid);
  child_ = pid;
  child_kind_ = ChildKind::kRdb;
  child_start_ms_ = now_ms;
  dirty_at_fork_ = engine_.dirty;
  bgsave_scheduled_ = false;
  return BgsaveResult::kStarted;
}

bool Persistence::start_rewrite(int64_t now_ms) {
  std::string error;
  if (!aof_.prepare_rewrite(&error)) {
    CACHET_LOG_WARNING("{}", error);
    aof_.note_rewrite_failed_to_start();
    return false;
  }
  pid_t pid = fork_child([this](pid_t self) { return aof_.write_base_in_child(self); });
  if (pid < 0) {
    CACHET_LOG_WARNING("Can't rewrite append only file in background: fork: {}",
                       std::strerror(errno));
    aof_.note_rewrite_failed_to_start();
    return false;
  }
  CACHET_LOG_NOTICE("Background append only file rewriting started by pid {}", pid);
  child_ = pid;
  child_kind_ = ChildKind::kAof;
  child_start_ms_ = now_ms;
  rewrite_scheduled_ = false;
  aof_.note_rewrite_started(now_ms);
  return true;
}

Persistence::RewriteResult Persistence::bgrewriteaof(int64_t now_ms) {
  if (rewrite_in_progress()) return RewriteResult::kInProgress;
  if (child_running()) {
    rewrite_scheduled_ = true;
    CACHET_LOG_NOTICE("Background append only file rewriting scheduled.");
    return RewriteResult::kScheduled;
  }
  return start_rewrite(now_ms) ? RewriteResult::kStarted : RewriteResult::kFailed;
}

bool Persistence::apply_aof_config(int64_t now_ms, std::string* error) {
  aof_.delete_history();  // aof-disable-auto-gc turned off: what was kept goes now
  // Switched to `always`: what earlier policies left unsynced is synced now, so the promise
  // holds from this command on.
  if (config_.appendfsync == config::AppendFsync::kAlways) aof_.sync_now();
  return set_appendonly(config_.appendonly, now_ms, error);
}

bool Persistence::set_appendonly(bool on, int64_t now_ms, std::string* error) {
  if (on == aof_.enabled()) return true;
  if (!on) {
    if (rewrite_in_progress()) kill_child();
    rewrite_scheduled_ = false;
    aof_.disable();
    return true;
  }
  if (!aof_.enable(error)) return false;
  if (rewrite_in_progress()) kill_child();  // it was not recording: start again
  if (child_running()) {
    rewrite_scheduled_ = true;
    CACHET_LOG_NOTICE("AOF was enabled but there is already another background operation. "
                      "An AOF background was scheduled to start when possible.");
    return true;
  }
  if (!start_rewrite(now_ms)) {
    aof_.disable();
    *error = "Can't execute an AOF background rewriting. Please check the server logs for "
             "more information.";
    return false;
  }
  return true;
}

void Persistence::finish_child(int status, int64_t now_ms) {
  ChildKind kind = child_kind_;
  pid_t pid = child_;
  child_ = -1;
  child_kind_ = ChildKind::kNone;
  if (kind == ChildKind::kAof) {
    aof_.rewrite_finished(pid, status, now_ms);
    // A first rewrite that failed is retried: AOF cannot start without its base.
    if (aof_.waiting_for_first_rewrite()) rewrite_scheduled_ = true;
    return;
  }
  finish_bgsave(pid, status, now_ms);
}

void Persistence::finish_bgsave(pid_t pid, int status, int64_t now_ms) {
  last_bgsave_duration_s_ = (now_ms - child_start_ms_) / 1000;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    CACHET_LOG_NOTICE("Background saving terminated with success");
    engine_.dirty = engine_.dirty >= dirty_at_fork_ ? engine_.dirty - dirty_at_fork_ : 0;
    last_save_s_ = now_ms / 1000;
    last_bgsave_ok_ = true;
    ++saves_;
  } else if (WIFSIGNALED(status)) {
    CACHET_LOG_WARNING("Background saving terminated by signal {}", WTERMSIG(status));
    // A killed child cannot clean up after itself.
    ::unlink(fmt::format("temp-{}.rdb", pid).c_str());
    // Killing it on purpose (SIGUSR1, as Valkey) is not an error.
    last_bgsave_ok_ = WTERMSIG(status) == SIGUSR1;
  } else {
    CACHET_LOG_WARNING("Background saving error");
    last_bgsave_ok_ = false;
  }
}

void Persistence::cron(int64_t now_ms) {
  // everysec fsyncs come due with time, not only with writes; a failed write is retried.
  aof_.flush();
  if (child_ > 0) {
    int status = 0;
    pid_t done = waitpid(child_, &status, WNOHANG);
    if (done == child_) finish_child(status, now_ms);
    if (child_ > 0) return;
  }
  std::string error;
  if (bgsave_scheduled_) {
    bgsave(now_ms, &error);
    return;
  }
  if (rewrite_scheduled_ || aof_.rewrite_due(now_ms)) {
    if (!rewrite_scheduled_) {
      CACHET_LOG_NOTICE("Starting automatic rewriting of AOF on growth");
    }
    start_rewrite(now_ms);
    return;
  }
  // A failed save is retried after 5 seconds, as Valkey's CONFIG_BGSAVE_RETRY_DELAY.
  int64_t now_s = now_ms / 1000;
  bool may_retry = last_bgsave_ok_ || now_s - last_bgsave_try_s_ > 5;
  for (const auto& [seconds, changes] : config_.save) {
    if (engine_.dirty >= static_cast<uint64_t>(changes) && now_s - last_save_s_ > seconds &&
        may_retry) {
      CACHET_LOG_NOTICE("{} changes in {} seconds. Saving...", changes, seconds);
      bgsave(now_ms, &error);
      return;
    }
  }
}

void Persistence::kill_child() {
  if (child_ <= 0) return;
  if (rewrite_in_progress()) CACHET_LOG_NOTICE("Killing running AOF rewrite child: {}", child_);
  ::kill(child_, SIGUSR1);
  int status = 0;
  waitpid(child_, &status, 0);
  // Reported as stopped on purpose, which cleans up its temporary files.
  finish_child(status, now_ms());
}

void Persistence::kill_bgsave() {
  if (bgsave_in_progress()) kill_child();
}

std::string Persistence::write_refusal() const {
  if (config_.stop_writes_on_bgsave_error && !config_.save.empty() && !last_bgsave_ok_) {
    return "MISCONF Valkey is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Valkey logs for details "
           "about the RDB error.";
  }
  return aof_.write_error();
}

void Persistence::info(std::string& out, int64_t now_ms) const {
  out += fmt::format("loading:{}\r\nasync_loading:0\r\n", loading() ? 1 : 0);
  if (loading()) {
    uint64_t total = loader_ ? loader_->file_size() : aof_loader_->total_bytes();
    uint64_t done = loader_ ? loader_->bytes_read() : aof_loader_->bytes_read();
    double perc = total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
    double elapsed = static_cast<double>(now_ms - loading_start_ms_) / 1000.0;
    int64_t eta = done > 0 ? static_cast<int64_t>(elapsed * static_cast<double>(total - done) /
                                                  static_cast<double>(done))
                           : 1;
    out += fmt::format(
        "loading_start_time:{}\r\nloading_total_bytes:{}\r\nloading_rdb_used_mem:0\r\n"
        "loading_loaded_bytes:{}\r\nloading_loaded_perc:{:.2f}\r\nloading_eta_seconds:{}\r\n",
        loading_start_ms_ / 1000, total, done, perc, eta);
  }
  out += fmt::format(
      "current_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\n"
      "current_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n"
      "rdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\nrdb_last_save_time:{}\r\n"
      "rdb_last_bgsave_status:{}\r\nrdb_last_bgsave_time_sec:{}\r\n"
      "rdb_current_bgsave_time_sec:{}\r\nrdb_saves:{}\r\nrdb_last_cow_size:0\r\n"
      "rdb_last_load_keys_expired:{}\r\nrdb_last_load_keys_loaded:{}\r\n",
      engine_.dirty, bgsave_in_progress() ? 1 : 0, last_save_s_, last_bgsave_ok_ ? "ok" : "err",
      last_bgsave_duration_s_, bgsave_in_progress() ? (now_ms - child_start_ms_) / 1000 : -1,
      saves_, last_load_keys_expired_, last_load_keys_loaded_);
  aof_.info(out, rewrite_in_progress(), rewrite_scheduled_, now_ms);
}

}  // namespace cachet::server
