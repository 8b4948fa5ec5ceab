#include "server/aof.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "commands/engine.h"
#include "common/clock.h"
#include "common/log.h"
#include "persist/command_snapshot.h"
#include "persist/snapshot.h"
#include "store/memory.h"

namespace cachet::server {
namespace {

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string temp_base_name(pid_t pid) { return fmt::format("temp-rewriteaof-bg-{}.aof", pid); }

// RESP as a client would send it: what the file holds and what a replay parses.
void append_command(Buffer& out, const std::vector<std::string_view>& argv) {
  char header[32];
  int n = std::snprintf(header, sizeof header, "*%zu\r\n", argv.size());
  out.append(header, static_cast<size_t>(n));
  for (std::string_view a : argv) {
    n = std::snprintf(header, sizeof header, "$%zu\r\n", a.size());
    out.append(header, static_cast<size_t>(n));
    out.append(a);
    out.append("\r\n", 2);
  }
}

}  // namespace

AppendOnlyFile::AppendOnlyFile(commands::Engine& engine) : engine_(engine) {}

AppendOnlyFile::~AppendOnlyFile() {
  if (state_ != State::kOff) engine_.propagation.remove_sink(this);
  if (fd_ >= 0) ::close(fd_);
}

std::string AppendOnlyFile::dir() const { return engine_.config.appenddirname; }

std::string AppendOnlyFile::temp_incr_name() const {
  return "temp-" + engine_.config.appendfilename + ".incr";
}

bool AppendOnlyFile::read_manifest(std::string* error) {
  const config::ServerConfig& config = engine_.config;
  std::string manifest_path = path_in_dir(config.appendfilename + ".manifest");
  manifest_ = persist::AofManifest();
  if (exists(manifest_path)) {
    std::FILE* f = std::fopen(manifest_path.c_str(), "r");
    if (f == nullptr) {
      *error = fmt::format("Can't open the AOF manifest file {} for reading: {}", manifest_path,
                           std::strerror(errno));
      return false;
    }
    std::string text;
    char chunk[4096];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) text.append(chunk, n);
    std::fclose(f);
    if (!persist::AofManifest::parse(text, &manifest_, error)) return false;
  }
  // An AOF from before multi-part files sits in `dir` itself: it becomes the base, as Valkey
  // upgrades it (only when AOF is on; otherwise the file is left alone).
  // Also when a manifest already names it but the move did not happen (an upgrade
  // interrupted between the two steps).
  const std::optional<persist::AofFileInfo>& base = manifest_.base();
  bool interrupted = base && manifest_.incr().empty() && base->name == config.appendfilename &&
                     !exists(path_in_dir(config.appendfilename));
  if (config.appendonly && exists(config.appendfilename) &&
      (!exists(dir()) || manifest_.empty() || interrupted)) {
    if (!create_dir(error)) return false;
    persist::AofManifest upgraded;
    upgraded.adopt_base(config.appendfilename);
    if (!persist_manifest(upgraded, error)) return false;
    if (std::rename(config.appendfilename.c_str(), path_in_dir(config.appendfilename).c_str()) !=
        0) {
      *error = fmt::format("Error trying to move the old AOF file {} into dir {}: {}",
                           config.appendfilename, dir(), std::strerror(errno));
      return false;
    }
    manifest_ = std::move(upgraded);
    CACHET_LOG_NOTICE("Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
                      config.appendfilename, dir());
  }
  return true;
}

std::vector<std::string> AppendOnlyFile::files_to_load() const {
  std::vector<std::string> files;
  if (manifest_.base()) files.push_back(path_in_dir(manifest_.base()->name));
  for (const persist::AofFileInfo& f : manifest_.incr()) files.push_back(path_in_dir(f.name));
  return files;
}

bool AppendOnlyFile::create_dir(std::string* error) {
  if (::mkdir(dir().c_str(), 0755) == 0 || errno == EEXIST) return true;
  *error = fmt::format("Can't open or create append-only dir {}: {}", dir(), std::strerror(errno));
  return false;
}

bool AppendOnlyFile::persist_manifest(const persist::AofManifest& manifest, std::string* error) {
  // Written aside and renamed over the old one, so a crash leaves one manifest or the other.
  std::string name = engine_.config.appendfilename + ".manifest";
  std::string temp = path_in_dir("temp-" + name);
  std::string text = manifest.to_string();
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  ok = ok && std::rename(temp.c_str(), path_in_dir(name).c_str()) == 0;
  if (!ok) {
    *error = fmt::format("Can't write the AOF manifest file {}: {}", name, std::strerror(errno));
    ::unlink(temp.c_str());
    return false;
  }
  persist::sync_directory(dir());
  return true;
}

int AppendOnlyFile::open_for_append(const std::string& name, bool truncate, std::string* error) {
  int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = ::open(path_in_dir(name).c_str(), flags, 0644);
  if (fd < 0) {
    *error = fmt::format("Can't open the append-only file {}: {}", name, std::strerror(errno));
  }
  return fd;
}

bool AppendOnlyFile::open_after_load(std::string* error) {
  const config::ServerConfig& config = engine_.config;
  if (!create_dir(error)) return false;
  // Nothing on disk yet: the (empty or RDB-less) dataset becomes the base at once, so the
  // manifest always names one, as Valkey's does.
  if (manifest_.empty()) {
    bool preamble = config.aof_use_rdb_preamble;
    const persist::AofFileInfo& base = manifest_.new_base(config.appendfilename, preamble);
    // No manifest names it yet, so a crash part way leaves nothing half-made behind.
    if (!write_base(path_in_dir(base.name), preamble, 0)) {
      *error = fmt::format("Can't create the AOF base file {}: {}", base.name,
                           std::strerror(errno));
      return false;
    }
    CACHET_LOG_NOTICE("Creating AOF base file {} on server start", base.name);
  }
  bool had_incr = !manifest_.incr().empty();
  std::string name =
      had_incr ? manifest_.incr().back().name : manifest_.new_incr(config.appendfilename).name;
  fd_ = open_for_append(name, false, error);
  if (fd_ < 0 || !persist_manifest(manifest_, error)) return false;
  CACHET_LOG_NOTICE("{} AOF incr file {} on server start", had_incr ? "Opening" : "Creating",
                    name);
  incr_size_ = file_size(path_in_dir(name));
  current_size_ = 0;
  for (const std::string& f : files_to_load()) current_size_ += file_size(f);
  base_size_ = manifest_.base() ? file_size(path_in_dir(manifest_.base()->name)) : 0;
  last_fsync_ms_ = now_ms();
  selected_db_ = -1;
  state_ = State::kOn;
  engine_.propagation.add_sink(this);
  return true;
}

void AppendOnlyFile::feed(int db, const std::vector<std::string_view>& argv) {
  // Between a failed first rewrite and the next, writes land in the next one's snapshot.
  if (state_ == State::kWaitRewrite && fd_ < 0) return;
  if (engine_.config.aof_timestamp_enabled) {
    // An annotation per second with writes: what lets a file be cut back to a moment.
    int64_t now_s = now_ms() / 1000;
    if (now_s != last_timestamp_s_) {
      std::string line = fmt::format("#TS:{}\r\n", now_s);
      buffer_.append(line);
      last_timestamp_s_ = now_s;
    }
  }
  if (db >= 0 && db != selected_db_) {
    std::string number = std::to_string(db);
    append_command(buffer_, {"SELECT", number});
    selected_db_ = db;
  }
  append_command(buffer_, argv);
}

void AppendOnlyFile::write_buffer() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : ENOSPC;
      // A half-written command would make the file unreadable: cut it off, keep the buffer
      // and try again from the cron.
      if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(incr_size_)) != 0) {
        incr_size_ += done;
        current_size_ += done;
        buffer_.consume(done);
      }
      if (last_write_ok_) {
        CACHET_LOG_WARNING("Error writing to the AOF file: {}", std::strerror(err));
      }
      last_write_ok_ = false;
      last_write_error_ = std::strerror(err);
      if (engine_.config.appendfsync == config::AppendFsync::kAlways) {
        // Acknowledged writes must be on disk; with the file unwritable that cannot be kept.
        CACHET_LOG_WARNING(
            "Can't recover from AOF write error when the AOF fsync policy is 'always'. "
            "Exiting...");
        std::_Exit(1);
      }
      return;
    }
    done += static_cast<size_t>(n);
  }
  incr_size_ += done;
  current_size_ += done;
  buffer_.clear();
  buffer_.shrink_if_idle(64 * 1024);
  if (!last_write_ok_) CACHET_LOG_WARNING("AOF write error looks solved. Writing again.");
  last_write_ok_ = true;
}

void AppendOnlyFile::flush() {
  if (fd_ < 0) {
    if (state_ == State::kWaitRewrite) buffer_.clear();
    return;
  }
  bool wrote = !buffer_.empty();
  if (wrote && flush_sleep_us_ > 0) ::usleep(static_cast<useconds_t>(flush_sleep_us_));
  if (wrote) write_buffer();
  switch (engine_.config.appendfsync) {
    case config::AppendFsync::kAlways:
      if (wrote && last_write_ok_) {
        if (::fdatasync(fd_) != 0) {
          CACHET_LOG_WARNING("Can't persist AOF for fsync error when the AOF fsync policy is "
                             "'always': {}. Exiting...",
                             std::strerror(errno));
          std::_Exit(1);
        }
        last_fsync_ms_ = now_ms();
      }
      break;
    case config::AppendFsync::kEverysec: {
      int64_t now = now_ms();
      if (unsynced_ && now - last_fsync_ms_ >= 1000) {
        if (fsync_.pending()) {
          ++delayed_fsyncs_;  // the disk is slower than a second: try again next time
        } else {
          fsync_.submit(fd_, false);
          last_fsync_ms_ = now;
          unsynced_ = false;
        }
      }
      break;
    }
    case config::AppendFsync::kNo: break;
  }
  if (wrote) unsynced_ = engine_.config.appendfsync != config::AppendFsync::kAlways;
}

void AppendOnlyFile::sync_now() {
  if (fd_ < 0) return;
  if (!buffer_.empty()) write_buffer();
  fsync_.drain();
  ::fdatasync(fd_);
  unsynced_ = false;
}

void AppendOnlyFile::retire_fd() {
  if (fd_ < 0) return;
  // Its writes must reach the disk before the file may matter alone; the worker fsyncs it
  // and closes it without holding the loop.
  fsync_.submit(fd_, true);
  fd_ = -1;
}

bool AppendOnlyFile::enable(std::string* error) {
  if (state_ != State::kOff) return true;
  if (!create_dir(error)) return false;
  state_ = State::kWaitRewrite;
  fd_ = -1;
  buffer_.clear();
  last_write_ok_ = true;
  engine_.propagation.add_sink(this);
  return true;
}

void AppendOnlyFile::disable() {
  if (state_ == State::kOff) return;
  if (state_ == State::kOn) sync_now();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  selected_db_ = -1;
  state_ = State::kOff;
  incr_size_ = 0;
  engine_.propagation.remove_sink(this);
}

bool AppendOnlyFile::prepare_rewrite(std::string* error) {
  if (!create_dir(error)) return false;
  rewrite_preamble_ = engine_.config.aof_use_rdb_preamble;
  if (fd_ >= 0 && !buffer_.empty()) write_buffer();
  if (state_ == State::kOff) return true;  // a base alone; no writes are being recorded
  int fd;
  persist::AofManifest next = manifest_;
  if (state_ == State::kWaitRewrite) {
    // No manifest names it until the rewrite succeeds: a crash before that leaves the
    // previous AOF (or none) exactly as it was.
    fd = open_for_append(temp_incr_name(), true, error);
    if (fd < 0) return false;
  } else {
    const persist::AofFileInfo& incr = next.new_incr(engine_.config.appendfilename);
    fd = open_for_append(incr.name, true, error);
    if (fd < 0) return false;
    if (!persist_manifest(next, error)) {
      ::close(fd);
      ::unlink(path_in_dir(incr.name).c_str());
      return false;
    }
    CACHET_LOG_NOTICE("Creating AOF incr file {} on background rewrite", incr.name);
  }
  retire_fd();
  fd_ = fd;
  manifest_ = std::move(next);
  incr_size_ = 0;
  unsynced_ = false;
  selected_db_ = -1;  // the new file starts with its own SELECT
  last_timestamp_s_ = 0;
  return true;
}

bool AppendOnlyFile::write_base(const std::string& path, bool rdb_preamble,
                                int64_t key_delay_us) {
  const config::ServerConfig& config = engine_.config;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  persist::SaveOptions options;
  options.now_ms = now_ms();
  options.aof_base = true;
  options.compress = config.rdbcompression;
  options.checksum = config.rdbchecksum;
  options.key_delay_us = key_delay_us;
  options.used_memory = store::allocated_bytes();
  options.time_annotation = config.aof_timestamp_enabled;
  persist::SaveResult r = rdb_preamble
                              ? persist::write_snapshot(fd, engine_.keyspace, options)
                              : persist::write_command_snapshot(fd, engine_.keyspace, options);
  bool ok = r.ok && ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

bool AppendOnlyFile::write_base_in_child(pid_t pid) {
  int64_t delay = engine_.config.rdb_key_save_delay;
  return write_base(temp_base_name(pid), rewrite_preamble_, delay > 0 ? delay : 0);
}

void AppendOnlyFile::remove_temp_base(pid_t pid) { ::unlink(temp_base_name(pid).c_str()); }

void AppendOnlyFile::note_rewrite_started(int64_t now_ms) {
  rewrite_start_ms_ = now_ms;
  ++rewrites_;
}

void AppendOnlyFile::note_rewrite_failed_to_start() {
  last_rewrite_ok_ = false;
  ++consecutive_failures_;
}

void AppendOnlyFile::rewrite_finished(pid_t pid, int status, int64_t now_ms) {
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::string error;
  if (ok) {
    CACHET_LOG_NOTICE("Background AOF rewrite terminated with success");
    const std::string& prefix = engine_.config.appendfilename;
    persist::AofManifest next = manifest_;
    std::string base = next.new_base(prefix, rewrite_preamble_).name;
    ok = std::rename(temp_base_name(pid).c_str(), path_in_dir(base).c_str()) == 0;
    if (!ok) {
      CACHET_LOG_WARNING("Error trying to rename the temporary AOF base file {} into {}: {}",
                         temp_base_name(pid), base, std::strerror(errno));
    }
    std::string incr;
    if (ok && state_ == State::kWaitRewrite) {
      incr = next.new_incr(prefix).name;
      ok = std::rename(path_in_dir(temp_incr_name()).c_str(), path_in_dir(incr).c_str()) == 0;
      if (!ok) {
        CACHET_LOG_WARNING("Error trying to rename the temporary AOF incr file {} into {}: {}",
                           temp_incr_name(), incr, std::strerror(errno));
        ::unlink(path_in_dir(base).c_str());
      }
    }
    if (ok) {
      // The incr file being written stays; every older one is in the new base now. With AOF
      // off nothing is being written, so every incr file is.
      if (fd_ >= 0) {
        next.retire_incr_but_last();
      } else {
        next.retire_all_incr();
      }
      ok = persist_manifest(next, &error);
      if (!ok) {
        CACHET_LOG_WARNING("{}", error);
        ::unlink(path_in_dir(base).c_str());
        if (!incr.empty()) ::unlink(path_in_dir(incr).c_str());
      }
    }
    if (ok) {
      manifest_ = std::move(next);
      base_size_ = file_size(path_in_dir(base));
      current_size_ = base_size_ + incr_size_;
      delete_history();
      if (state_ == State::kWaitRewrite) state_ = State::kOn;
      CACHET_LOG_NOTICE("Background AOF rewrite finished successfully");
    }
    last_rewrite_ok_ = ok;
  } else if (WIFSIGNALED(status)) {
    CACHET_LOG_WARNING("Background AOF rewrite terminated by signal {}", WTERMSIG(status));
    // Stopping it on purpose (SIGUSR1, as Valkey) is not a failure.
    last_rewrite_ok_ = WTERMSIG(status) == SIGUSR1;
  } else {
    CACHET_LOG_WARNING("Background AOF rewrite terminated with error");
    last_rewrite_ok_ = false;
  }
  consecutive_failures_ = last_rewrite_ok_ ? 0 : consecutive_failures_ + 1;
  remove_temp_base(pid);
  if (state_ == State::kWaitRewrite) {
    // The first rewrite failed: what was recorded meanwhile is in no base; the next attempt
    // snapshots it again.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
    CACHET_LOG_NOTICE("Removing the temp incr aof file {} in the background", temp_incr_name());
    ::unlink(path_in_dir(temp_incr_name()).c_str());
  }
  last_rewrite_seconds_ = rewrite_start_ms_ >= 0 ? (now_ms - rewrite_start_ms_) / 1000 : -1;
  rewrite_start_ms_ = -1;
}

bool AppendOnlyFile::rewrite_limited(int64_t now_ms) {
  // As Valkey: after three failures in a row the automatic rewrite waits 1, 2, 4 ... up to
  // 60 minutes between attempts, so a failing disk is not hit with a fork every tick;
  // BGREWRITEAOF still runs at once.
  if (consecutive_failures_ < 3) {
    next_delay_minutes_ = 0;
    next_auto_rewrite_ms_ = 0;
    return false;
  }
  if (next_auto_rewrite_ms_ != 0) {
    if (now_ms < next_auto_rewrite_ms_) return true;
    next_auto_rewrite_ms_ = 0;
    return false;
  }
  next_delay_minutes_ = next_delay_minutes_ == 0 ? 1 : std::min<int64_t>(next_delay_minutes_ * 2, 60);
  next_auto_rewrite_ms_ = now_ms + next_delay_minutes_ * 60 * 1000;
  CACHET_LOG_WARNING(
      "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} "
      "minutes",
      next_delay_minutes_);
  return true;
}

void AppendOnlyFile::delete_history() {
  if (engine_.config.aof_disable_auto_gc) return;
  for (const persist::AofFileInfo& f : manifest_.history()) {
    CACHET_LOG_NOTICE("Removing the history file {} in the background", f.name);
    ::unlink(path_in_dir(f.name).c_str());
  }
  if (manifest_.history().empty()) return;
  manifest_.clear_history();
  std::string error;
  if (!persist_manifest(manifest_, &error)) CACHET_LOG_WARNING("{}", error);
}

bool AppendOnlyFile::rewrite_due(int64_t now_ms) {
  const config::ServerConfig& config = engine_.config;
  if (state_ != State::kOn || config.auto_aof_rewrite_percentage == 0) return false;
  if (current_size_ < static_cast<uint64_t>(config.auto_aof_rewrite_min_size)) return false;
  uint64_t base = base_size_ > 0 ? base_size_ : 1;
  uint64_t growth_percent = current_size_ * 100 / base;
  if (growth_percent < 100 + static_cast<uint64_t>(config.auto_aof_rewrite_percentage)) {
    return false;
  }
  return !rewrite_limited(now_ms);
}

std::string AppendOnlyFile::write_error() const {
  if (state_ == State::kOff) return {};
  if (!last_write_ok_) return "MISCONF Errors writing to the AOF file: " + last_write_error_;
  if (fsync_.last_failed()) return "MISCONF Errors writing to the AOF file: fsync failed";
  return {};
}

void AppendOnlyFile::info(std::string& out, bool rewrite_in_progress, bool rewrite_scheduled,
                          int64_t now_ms) const {
  bool write_ok = last_write_ok_ && !fsync_.last_failed();
  out += fmt::format(
      "aof_enabled:{}\r\naof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:{}\r\n"
      "aof_last_rewrite_time_sec:{}\r\naof_current_rewrite_time_sec:{}\r\n"
      "aof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\naof_rewrites_consecutive_failures:{}\r\n"
      "aof_last_write_status:{}\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n"
      "module_fork_last_cow_size:0\r\n",
      state_ != State::kOff ? 1 : 0, rewrite_in_progress ? 1 : 0, rewrite_scheduled ? 1 : 0,
      last_rewrite_seconds_,
      rewrite_in_progress && rewrite_start_ms_ >= 0 ? (now_ms - rewrite_start_ms_) / 1000 : -1,
      last_rewrite_ok_ ? "ok" : "err", rewrites_, consecutive_failures_,
      write_ok ? "ok" : "err");
  if (state_ == State::kOff) return;
  out += fmt::format(
      "aof_current_size:{}\r\naof_base_size:{}\r\naof_pending_rewrite:{}\r\n"
      "aof_buffer_length:{}\r\naof_pending_bio_fsync:{}\r\naof_delayed_fsync:{}\r\n",
      current_size_, base_size_, rewrite_scheduled ? 1 : 0, buffer_.size(),
      fsync_.pending() ? 1 : 0, delayed_fsyncs_);
}

}  // namespace cachet::server
