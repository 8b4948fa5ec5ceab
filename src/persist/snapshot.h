#pragma once
// Whole-keyspace snapshots in the RDB format. Saving writes a temporary file in the target's
// directory, fsyncs it and renames it over the target, so a crash mid-save leaves the previous
// dump intact. Loading is incremental (SnapshotLoader::step) so the server can keep answering
// -LOADING while a large file is read.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "persist/rdb_reader.h"
#include "persist/rdb_writer.h"
#include "store/keyspace.h"

namespace cachet::persist {

struct SaveOptions {
  bool compress = true;   // rdbcompression
  bool checksum = true;   // rdbchecksum
  int64_t now_ms = 0;
  int64_t key_delay_us = 0;  // rdb-key-save-delay: a test hook that slows saving per key
  uint64_t used_memory = 0;  // the "used-mem" aux field
  bool aof_base = false;     // the "aof-base" aux field: written as an AOF's base file
  bool time_annotation = false;  // a command base starts with a "#TS:<unix seconds>" line
};

struct SaveResult {
  bool ok = false;
  std::string error;
  uint64_t keys = 0;
  uint64_t bytes = 0;
};

// Writes the keyspace to `fd` in RDB format.
SaveResult write_snapshot(int fd, store::Keyspace& keyspace, const SaveOptions& options);
// Writes it to `path` through a temporary file in the same directory, then fsync and rename.
SaveResult save_snapshot(const std::string& path, store::Keyspace& keyspace,
                         const SaveOptions& options);

// Flushes `out` and completes `result`: its size, or the write error that stopped it.
SaveResult finish_save(RdbSink& out, SaveResult result);
// Sleeps `options.key_delay_us` (rdb-key-save-delay) after a key, when set.
void pause_after_key(const SaveOptions& options);

// fsyncs the directory `dir`, which makes a rename or a new file in it durable.
void sync_directory(const std::string& dir);

class SnapshotLoader {
 public:
  // Opens `path`; ok() is false (with error()) when it cannot be read. A missing file is not
  // an error: exists() tells.
  // `merge` lets a loaded key replace one already present (DEBUG RELOAD MERGE); otherwise a
  // key that is already there is an error, as a duplicate inside one file would be.
  SnapshotLoader(const std::string& path, store::Keyspace& keyspace, const LoadLimits& limits,
                 int64_t now_ms, bool expire_on_load = true, bool merge = false);
  ~SnapshotLoader();

  bool exists() const { return exists_; }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool done() const { return done_; }

  // Loads up to `max_keys` more keys; false once finished or failed.
  bool step(size_t max_keys);

  uint64_t keys_loaded() const { return keys_loaded_; }
  uint64_t expired_skipped() const { return expired_skipped_; }
  uint64_t bytes_read() const { return source_ ? source_->offset() : 0; }
  uint64_t file_size() const { return size_; }
  int version() const { return version_; }

 private:
  void read_header();
  // Reads one record (an opcode or a key); false at EOF.
  bool read_record();

  store::Keyspace& keyspace_;
  LoadLimits limits_;
  int64_t now_ms_;
  bool expire_on_load_;
  bool merge_;
  int fd_ = -1;
  bool exists_ = false;
  bool done_ = false;
  std::string error_;
  uint64_t size_ = 0;
  std::unique_ptr<RdbSource> source_;
  int version_ = 0;
  size_t db_ = 0;
  int64_t pending_expire_ms_ = -1;
  int64_t pending_idle_s_ = -1;  // LRU idle time announced for the next key
  int64_t pending_freq_ = -1;    // LFU counter announced for the next key
  uint64_t keys_loaded_ = 0;
  uint64_t expired_skipped_ = 0;
};

}  // namespace cachet::persist
