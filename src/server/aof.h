#pragma once
// The append-only file, laid out as Valkey 7+ does it: in `dir`/`appenddirname`, a manifest
// naming one base file (an RDB snapshot) and the incr files (the RESP commands written since),
// replayed in that order at start-up.
//
// Writes reach it through the propagation seam (commands/propagation.h) and collect in a
// buffer that the server writes out once per loop iteration, before any reply of that
// iteration goes out: a client never sees an acknowledgement for a write that is not in the
// file. `appendfsync always` fsyncs there too; `everysec` hands an fsync to a background
// thread at most once a second; `no` leaves it to the kernel.
//
// A rewrite (BGREWRITEAOF, the automatic one, enabling AOF at run time) starts a new incr file
// for the writes that follow, and a forked child writes the dataset as a new base; when the
// child succeeds the manifest names the new base and only the newest incr file, and the older
// files are deleted. The fork itself is the Persistence class's business.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "commands/propagation.h"
#include "common/buffer.h"
#include "persist/aof_manifest.h"
#include "server/background_fsync.h"

namespace cachet::commands {
class Engine;
}

namespace cachet::server {

class AppendOnlyFile : public commands::PropagationSink {
 public:
  explicit AppendOnlyFile(commands::Engine& engine);
  ~AppendOnlyFile() override;

  // --- start-up ---
  // Reads the manifest when there is one; adopts an old single-file AOF found in `dir`.
  // False (with Valkey's reason) when the manifest is malformed.
  bool read_manifest(std::string* error);
  // The files to replay, base first, as paths relative to `dir`.
  std::vector<std::string> files_to_load() const;
  // After loading: creates the directory, a base file when there is nothing yet, opens the
  // newest incr file for appending and starts recording writes.
  bool open_after_load(std::string* error);

  // --- run time ---
  void feed(int db, const std::vector<std::string_view>& argv) override;
  // Writes the buffer to the incr file; fsyncs as `appendfsync` says. Called before replies
  // are sent, and from the cron.
  void flush();
  // CONFIG SET appendonly yes: records from now on into a temporary incr file until the
  // first rewrite, which the caller starts (or schedules), makes a base of the dataset.
  bool enable(std::string* error);
  // CONFIG SET appendonly no: flushes, fsyncs and closes; nothing is recorded after it.
  void disable();
  bool enabled() const { return state_ != State::kOff; }
  bool waiting_for_first_rewrite() const { return state_ == State::kWaitRewrite; }
  // Flushes and fsyncs now (SHUTDOWN).
  void sync_now();
  bool pending() const { return !buffer_.empty(); }
  void set_flush_sleep(int64_t us) { flush_sleep_us_ = us; }

  // --- rewrite ---
  // In the parent, before the fork: flushes, and starts the incr file the writes made during
  // the rewrite go to. False when that file cannot be made.
  bool prepare_rewrite(std::string* error);
  // In the child: writes the dataset to the temporary base file for `pid` (its own pid).
  bool write_base_in_child(pid_t pid);
  // In the parent, once the child `pid` ended: adopts the new base, or cleans up after a
  // failure. `status` is from waitpid.
  void rewrite_finished(pid_t pid, int status, int64_t now_ms);
  // Removes the temporary base file child `pid` was writing.
  static void remove_temp_base(pid_t pid);
  // The automatic rewrite's trigger: auto-aof-rewrite-percentage / -min-size.
  bool rewrite_due(int64_t now_ms);
  void note_rewrite_started(int64_t now_ms);
  void note_rewrite_failed_to_start();

  // Deletes the files a rewrite retired (unless aof-disable-auto-gc) and drops them from the
  // manifest.
  void delete_history();
  // Writes refused because the file cannot be written (an error for the client, or "").
  std::string write_error() const;
  void info(std::string& out, bool rewrite_in_progress, bool rewrite_scheduled,
            int64_t now_ms) const;

 private:
  enum class State { kOff, kOn, kWaitRewrite };
  std::string dir() const;
  std::string path_in_dir(const std::string& name) const { return dir() + "/" + name; }
  std::string temp_incr_name() const;
  bool persist_manifest(const persist::AofManifest& manifest, std::string* error);
  bool create_dir(std::string* error);
  // Opens `name` in the AOF directory for appending (truncating with `truncate`).
  int open_for_append(const std::string& name, bool truncate, std::string* error);
  void retire_fd();
  void write_buffer();
  // True while the automatic rewrite waits after repeated failures (logs when it starts).
  bool rewrite_limited(int64_t now_ms);
  // Writes the dataset to `path` as a base file (RDB, or commands) and fsyncs it.
  bool write_base(const std::string& path, bool rdb_preamble, int64_t key_delay_us);

  commands::Engine& engine_;
  State state_ = State::kOff;
  persist::AofManifest manifest_;
  int fd_ = -1;
  int selected_db_ = -1;  // the database the file's last SELECT named; -1: none yet
  int64_t last_timestamp_s_ = 0;  // the second the last #TS: annotation named
  Buffer buffer_;
  BackgroundFsync fsync_;
  int64_t last_fsync_ms_ = 0;
  bool unsynced_ = false;  // written since the last fsync was requested
  uint64_t incr_size_ = 0;      // bytes in the incr file being written
  uint64_t current_size_ = 0;   // base plus incr files (aof_current_size)
  uint64_t base_size_ = 0;      // aof_current_size after the last rewrite or load
  bool last_write_ok_ = true;
  std::string last_write_error_;
  bool last_rewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t consecutive_failures_ = 0;
  int64_t rewrite_start_ms_ = -1;
  int64_t last_rewrite_seconds_ = -1;
  uint64_t delayed_fsyncs_ = 0;
  bool rewrite_preamble_ = true;  // the running rewrite's aof-use-rdb-preamble
  int64_t flush_sleep_us_ = 0;    // DEBUG AOF-FLUSH-SLEEP
  int64_t next_auto_rewrite_ms_ = 0;  // 0: no wait in force
  int64_t next_delay_minutes_ = 0;
};

}  // namespace cachet::server
