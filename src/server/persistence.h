#pragma once
// The server's snapshot life cycle: loading the dump at start (in slices, so clients get
// -LOADING meanwhile), SAVE, BGSAVE in a forked child, save points checked by the cron,
// saving at shutdown, and the INFO persistence fields. The RDB format itself is persist/.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "config/server_config.h"
#include "persist/snapshot.h"
#include "store/keyspace.h"

namespace cachet::commands {
class Engine;
}

namespace cachet::server {

class Persistence {
 public:
  explicit Persistence(commands::Engine& engine);
  ~Persistence();

  // Opens dir/dbfilename when it exists; false (with the reason) when it cannot be read.
  bool begin_loading(int64_t now_ms, std::string* error, bool merge = false);
  bool loading() const { return loader_ != nullptr; }
  // Loads for about `budget_us`; false with `error` set when the file is corrupt. Logs
  // progress and the final count.
  bool load_step(int64_t budget_us, std::string* error);
  // Loads the whole file now (DEBUG RELOAD); false with the reason.
  bool load_all(int64_t now_ms, std::string* error, bool merge = false);

  // SAVE: writes the snapshot in the foreground.
  bool save(int64_t now_ms, std::string* error);
  enum class BgsaveResult { kStarted, kInProgress, kFailed };
  BgsaveResult bgsave(int64_t now_ms, std::string* error);
  bool bgsave_in_progress() const { return child_ > 0; }
  // BGSAVE SCHEDULE while a save runs: start one once it ends.
  void schedule_bgsave() { bgsave_scheduled_ = true; }
  bool bgsave_scheduled() const { return bgsave_scheduled_; }
  // Reaps a finished child and starts saves due by the save points or a schedule.
  void cron(int64_t now_ms);
  // Kills a running child (SHUTDOWN, FLUSHALL) and removes its temporary file.
  void kill_child();

  // Writes refused because the last background save failed (stop-writes-on-bgsave-error).
  bool refuses_writes() const;
  int64_t last_save_s() const { return last_save_s_; }
  void info(std::string& out, int64_t now_ms) const;

 private:
  std::string path() const;
  persist::SaveOptions save_options(int64_t now_ms) const;
  void finish_child(int status, int64_t now_ms);

  commands::Engine& engine_;
  const config::ServerConfig& config_;
  std::unique_ptr<persist::SnapshotLoader> loader_;
  int64_t loading_start_ms_ = 0;
  int64_t last_progress_log_ms_ = 0;
  uint64_t last_load_keys_loaded_ = 0;
  uint64_t last_load_keys_expired_ = 0;

  pid_t child_ = -1;
  int64_t child_start_ms_ = 0;
  uint64_t dirty_at_fork_ = 0;
  bool bgsave_scheduled_ = false;
  int64_t last_save_s_ = 0;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_duration_s_ = -1;
  int64_t last_bgsave_try_s_ = 0;
  uint64_t saves_ = 0;
};

}  // namespace cachet::server
