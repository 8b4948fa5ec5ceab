#include "persist/snapshot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "common/strings.h"
#include "common/version.h"
#include "persist/rdb_format.h"
#include "persist/rdb_writer.h"
#include "store/access_clock.h"
#include "store/list_object.h"

namespace cachet::persist {
namespace {

void write_aux(RdbSink& out, std::string_view key, std::string_view value) {
  out.byte(rdb::kOpAux);
  write_string(out, key, false);
  write_string(out, value, false);
}

void write_millis(RdbSink& out, int64_t ms) {
  static_assert(sizeof(int64_t) == 8);
  out.write(&ms, 8);  // little-endian, as Redis writes it
}

size_t collection_size(const store::Value& v) {
  switch (v.type()) {
    case store::ValueType::kList: return v.list_object()->size();
    case store::ValueType::kSet: return v.set_object()->size();
    case store::ValueType::kZSet: return v.zset_object()->size();
    case store::ValueType::kHash: return v.hash_object()->size();
    default: return 1;
  }
}

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

SaveResult write_snapshot(int fd, store::Keyspace& keyspace, const SaveOptions& options) {
  SaveResult result;
  RdbSink out(fd);
  char header[16];
  int n = std::snprintf(header, sizeof header, "%s%04d", rdb::kMagic, rdb::kWriteVersion);
  out.write(header, static_cast<size_t>(n));
  write_aux(out, "redis-ver", CACHET_REDIS_COMPAT_VERSION);
  write_aux(out, "redis-bits", "64");
  write_aux(out, "ctime", int64_to_string(options.now_ms / 1000));
  write_aux(out, "used-mem", int64_to_string(static_cast<int64_t>(options.used_memory)));
  write_aux(out, "aof-base", options.aof_base ? "1" : "0");
  write_aux(out, "cachet-ver", CACHET_VERSION_STRING);
  for (size_t i = 0; i < keyspace.db_count() && out.ok(); ++i) {
    store::Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    out.byte(rdb::kOpSelectDb);
    write_length(out, i);
    out.byte(rdb::kOpResizeDb);
    write_length(out, db.size());
    write_length(out, db.expires_size());
    db.dict().for_each([&](store::Entry* e) {
      if (!out.ok()) return;
      int64_t when = db.expire_at(e);
      if (when >= 0) {
        out.byte(rdb::kOpExpireTimeMs);
        write_millis(out, when);
      }
      out.byte(rdb_type_of(e->value));
      write_string(out, e->key_view(), options.compress);
      write_value(out, e->value, options.compress);
      ++result.keys;
      pause_after_key(options);
    });
  }
  out.byte(rdb::kOpEof);
  uint64_t crc = options.checksum ? out.crc() : 0;
  out.write(&crc, 8);
  return finish_save(out, result);
}

SaveResult finish_save(RdbSink& out, SaveResult result) {
  out.flush();
  result.bytes = out.bytes();
  if (!out.ok()) {
    result.error = std::strerror(out.error());
    return result;
  }
  result.ok = true;
  return result;
}

void pause_after_key(const SaveOptions& options) {
  if (options.key_delay_us > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(options.key_delay_us));
  }
}

SaveResult save_snapshot(const std::string& path, store::Keyspace& keyspace,
                         const SaveOptions& options) {
  std::string temp = directory_of(path);
  temp.append("/temp-").append(std::to_string(getpid())).append(".rdb");
  SaveResult result;
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    result.error = "Failed opening the temp RDB file " + temp + " (in server root dir " +
                   directory_of(path) + ") for saving: " + std::strerror(errno);
    return result;
  }
  result = write_snapshot(fd, keyspace, options);
  if (result.ok && ::fsync(fd) != 0) {
    result.ok = false;
    result.error = std::strerror(errno);
  }
  ::close(fd);
  if (result.ok && std::rename(temp.c_str(), path.c_str()) != 0) {
    result.ok = false;
    result.error = "Error moving temp DB file " + temp + " on the final destination " + path +
                   ": " + std::strerror(errno);
  }
  if (!result.ok) {
    ::unlink(temp.c_str());
    return result;
  }
  // The rename is durable once the directory entry is.
  sync_directory(directory_of(path));
  return result;
}

void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

namespace {
// Valkey's wording: a short read for a truncated file, an internal error naming the offset for
// anything malformed.
std::string describe(const RdbError& e) {
  std::string what = e.what();
  if (what.find("truncated") != std::string::npos) {
    return fmt::format("Short read or OOM loading DB. Unrecoverable error, aborting now. ({} at "
                       "offset {})",
                       what, e.offset());
  }
  return fmt::format("Internal error in RDB reading offset {} -> {}", e.offset(), what);
}
}  // namespace

SnapshotLoader::SnapshotLoader(const std::string& path, store::Keyspace& keyspace,
                               const LoadLimits& limits, int64_t now_ms, bool expire_on_load,
                               bool merge)
    : keyspace_(keyspace),
      limits_(limits),
      now_ms_(now_ms),
      expire_on_load_(expire_on_load),
      merge_(merge) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    if (errno != ENOENT) error_ = std::string("Fatal error loading the DB: ") + std::strerror(errno);
    done_ = true;
    return;
  }
  exists_ = true;
  struct stat st {};
  ::fstat(fd_, &st);
  size_ = static_cast<uint64_t>(st.st_size);
  source_ = std::make_unique<RdbSource>(fd_, size_);
  try {
    read_header();
  } catch (const RdbError& e) {
    error_ = describe(e);
    done_ = true;
  }
}

SnapshotLoader::~SnapshotLoader() {
  if (fd_ >= 0) ::close(fd_);
}

void SnapshotLoader::read_header() {
  char magic[9];
  source_->read(magic, 9);
  if (std::memcmp(magic, rdb::kMagic, 5) != 0) source_->fail("Wrong signature trying to load DB from file");
  int version = 0;  // four zero-padded digits
  bool digits = true;
  for (int i = 5; i < 9; ++i) {
    digits = digits && magic[i] >= '0' && magic[i] <= '9';
    version = version * 10 + (magic[i] - '0');
  }
  if (!digits || version < 1 || version > rdb::kVersion) {
    source_->fail("Can't handle RDB format version " + std::string(magic + 5, 4));
  }
  version_ = version;
}

bool SnapshotLoader::step(size_t max_keys) {
  if (done_) return false;
  try {
    for (size_t i = 0; i < max_keys; ++i) {
      if (!read_record()) {
        done_ = true;
        return false;
      }
    }
  } catch (const RdbError& e) {
    error_ = describe(e);
    done_ = true;
    return false;
  } catch (const std::bad_alloc&) {
    error_ = "out of memory while loading";
    done_ = true;
    return false;
  }
  return true;
}

bool SnapshotLoader::read_record() {
  RdbSource& in = *source_;
  uint8_t type = in.byte();
  switch (type) {
    case rdb::kOpEof: {
      if (version_ >= 5) {
        uint64_t expected = in.crc();
        uint64_t stored;
        in.read(&stored, 8);
        if (stored != 0 && stored != expected) {
          in.fail(fmt::format("Wrong RDB checksum expected: ({:x}) got ({:x}): RDB CRC error",
                              stored, expected));
        }
      }
      return false;
    }
    case rdb::kOpAux:
      read_string(in);
      read_string(in);
      return true;
    case rdb::kOpSelectDb: {
      uint64_t db = read_length(in);
      if (db >= keyspace_.db_count()) {
        in.fail("Data file was created with a server configured to handle more than " +
                std::to_string(keyspace_.db_count()) + " databases");
      }
      db_ = static_cast<size_t>(db);
      return true;
    }
    case rdb::kOpResizeDb: {
      uint64_t keys = read_length(in);
      read_length(in);  // how many of them expire
      // The count is a hint from the file: believe it only as far as the file could hold.
      if (keys <= in.remaining()) keyspace_.db(db_).dict().reserve(static_cast<size_t>(keys));
      return true;
    }
    case rdb::kOpExpireTimeMs: {
      int64_t ms;
      in.read(&ms, 8);
      pending_expire_ms_ = ms;
      return true;
    }
    case rdb::kOpExpireTime: {
      int32_t seconds;
      in.read(&seconds, 4);
      pending_expire_ms_ = static_cast<int64_t>(seconds) * 1000;
      return true;
    }
    case rdb::kOpIdle:
      pending_idle_s_ = static_cast<int64_t>(read_length(in));
      return true;
    case rdb::kOpFreq:
      pending_freq_ = in.byte();
      return true;
    case rdb::kOpModuleAux: in.fail("module data is not supported by Cachet");
    case rdb::kOpFunction2:
    case rdb::kOpFunctionPreGa: in.fail("functions are not supported by Cachet yet");
    default: break;
  }
  std::string key = read_string(in);
  store::Value value = read_value(in, type, limits_);
  int64_t expire = pending_expire_ms_;
  int64_t idle_s = pending_idle_s_, freq = pending_freq_;
  pending_expire_ms_ = pending_idle_s_ = pending_freq_ = -1;
  if (collection_size(value) == 0) return true;  // an empty collection from an older server
  if (expire_on_load_ && expire >= 0 && expire < now_ms_) {
    ++expired_skipped_;
    return true;
  }
  store::Database& db = keyspace_.db(db_);
  if (db.dict().find(key) != nullptr) {
    if (!merge_) in.fail("Duplicate key '" + key + "' in the RDB");
    db.remove(key);
  }
  store::Entry* e = db.add(key, std::move(value));
  if (expire >= 0) db.set_expire(e, expire);
  // The access stamps a dump carries apply under the policy that uses them.
  bool lfu = keyspace_.access().lfu();
  if (idle_s >= 0 && !lfu) e->lru = store::lru_clock(now_ms_ - idle_s * 1000);
  if (freq >= 0 && lfu) e->lru = store::lfu_stamp(static_cast<uint32_t>(freq), now_ms_);
  ++keys_loaded_;
  return true;
}

}  // namespace cachet::persist
