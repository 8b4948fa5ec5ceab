#pragma once
// The server's persistence life cycle: loading at start (the AOF when appendonly is on,
// otherwise the dump; in slices, so clients get -LOADING meanwhile), SAVE, BGSAVE and AOF
// rewrites in a forked child (one child at a time, as Valkey), save points and the automatic
// rewrite checked by the cron, the AOF flush before replies go out, shutdown, and the INFO
// persistence fields. The formats are persist/; the AOF's files are server/aof.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/server_config.h"
#include "persist/snapshot.h"
#include "server/aof.h"
#include "server/aof_loader.h"
#include "store/keyspace.h"

namespace cachet::commands {
class Engine;
}

namespace cachet::server {

class Persistence {
 public:
  explicit Persistence(commands::Engine& engine);
  ~Persistence();

  // At start-up: the AOF when appendonly is on (and opens it for appending once loaded),
  // otherwise the dump. False (with the reason) when loading cannot start.
  bool begin_startup_load(int64_t now_ms, std::string* error);
  // Opens dir/dbfilename when it exists; false (with the reason) when it cannot be read.
  bool begin_loading(int64_t now_ms, std::string* error, bool merge = false);
  bool loading() const { return loader_ != nullptr || aof_loader_ != nullptr; }
  // Loads for about `budget_us`; false with `error` set when the file is corrupt. Logs
  // progress and the final count.
  bool load_step(int64_t budget_us, std::string* error);
  // Loads the whole file now (DEBUG RELOAD); false with the reason.
  bool load_all(int64_t now_ms, std::string* error, bool merge = false);

  // SAVE: writes the snapshot in the foreground.
  bool save(int64_t now_ms, std::string* error);
  enum class BgsaveResult { kStarted, kInProgress, kFailed };
  BgsaveResult bgsave(int64_t now_ms, std::string* error);
  bool bgsave_in_progress() const { return child_kind_ == ChildKind::kRdb; }
  bool rewrite_in_progress() const { return child_kind_ == ChildKind::kAof; }
  bool child_running() const { return child_ > 0; }
  // AOF was enabled at run time and the rewrite making its first base has not finished.
  bool writing_first_aof_base() const {
    return rewrite_in_progress() && aof_.waiting_for_first_rewrite();
  }

  // BGREWRITEAOF: starts a rewrite, or schedules one while another child runs.
  enum class RewriteResult { kStarted, kScheduled, kInProgress, kFailed };
  RewriteResult bgrewriteaof(int64_t now_ms);
  // CONFIG SET appendonly: enabling starts (or schedules) the rewrite that makes the first
  // base; disabling stops recording and any rewrite.
  bool set_appendonly(bool on, int64_t now_ms, std::string* error);
  // After CONFIG SET of appendonly or aof-disable-auto-gc.
  bool apply_aof_config(int64_t now_ms, std::string* error);
  // Writes what this loop iteration recorded to the AOF (fsync as configured); called before
  // replies are sent, so no client is told of a write the file does not hold.
  void flush_aof() { aof_.flush(); }
  // Writes recorded but not yet written to the AOF.
  bool aof_pending() const { return aof_.pending(); }
  // DEBUG AOF-FLUSH-SLEEP: a pause before each AOF write, for tests of the reply ordering.
  void set_aof_flush_sleep(int64_t us) { aof_.set_flush_sleep(us); }
  // Flushes and fsyncs the AOF (shutdown).
  void sync_aof() { aof_.sync_now(); }
  // DEBUG LOADAOF: writes out what is buffered and replays the AOF files into the (emptied)
  // dataset now. False with the reason when they do not load.
  bool reload_aof(std::string* error);
  // BGSAVE SCHEDULE while a save runs: start one once it ends.
  void schedule_bgsave() { bgsave_scheduled_ = true; }
  bool bgsave_scheduled() const { return bgsave_scheduled_; }
  // Reaps a finished child and starts saves due by the save points or a schedule.
  void cron(int64_t now_ms);
  // Kills a running child (SHUTDOWN) and removes its temporary file.
  void kill_child();
  // Kills a running BGSAVE only (FLUSHALL: the snapshot it writes is of the old data).
  void kill_bgsave();

  // Why writes are refused (MISCONF: the last background save failed under
  // stop-writes-on-bgsave-error, or the AOF cannot be written), or "" when they are not.
  std::string write_refusal() const;
  int64_t last_save_s() const { return last_save_s_; }
  // INFO stats: forks made, and how long the last one held the engine thread.
  uint64_t total_forks() const { return total_forks_; }
  int64_t latest_fork_us() const { return latest_fork_us_; }
  void info(std::string& out, int64_t now_ms) const;

 private:
  enum class ChildKind { kNone, kRdb, kAof };
  std::string path() const;
  persist::SaveOptions save_options(int64_t now_ms) const;
  void finish_child(int status, int64_t now_ms);
  void finish_bgsave(pid_t pid, int status, int64_t now_ms);
  bool start_rewrite(int64_t now_ms);
  // Forks; the child runs `body` and exits with 0 when it returns true. Returns the child's
  // pid in the parent, -1 when the fork failed.
  pid_t fork_child(const std::function<bool(pid_t self)>& body);
  bool aof_load_step(int64_t budget_us, std::string* error);

  commands::Engine& engine_;
  const config::ServerConfig& config_;
  AppendOnlyFile aof_;
  std::unique_ptr<AofLoader> aof_loader_;
  bool rewrite_scheduled_ = false;
  std::unique_ptr<persist::SnapshotLoader> loader_;
  int64_t loading_start_ms_ = 0;
  int64_t last_progress_log_ms_ = 0;
  uint64_t last_load_keys_loaded_ = 0;
  uint64_t last_load_keys_expired_ = 0;

  pid_t child_ = -1;
  ChildKind child_kind_ = ChildKind::kNone;
  int64_t child_start_ms_ = 0;
  uint64_t dirty_at_fork_ = 0;
  bool bgsave_scheduled_ = false;
  int64_t last_save_s_ = 0;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_duration_s_ = -1;
  int64_t last_bgsave_try_s_ = 0;
  uint64_t saves_ = 0;
  uint64_t total_forks_ = 0;
  int64_t latest_fork_us_ = 0;
};

}  // namespace cachet::server
