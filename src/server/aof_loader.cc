#include "server/aof_loader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "commands/context.h"
#include "commands/engine.h"
#include "commands/load_limits.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/strings.h"

namespace cachet::server {
namespace {

constexpr size_t kReadChunk = 1 << 20;
// Valkey reads the count and length lines into a buffer of this size; longer is malformed.
constexpr size_t kMaxHeaderLine = 1024;

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

AofLoader::AofLoader(commands::Engine& engine, std::vector<std::string> files,
                     bool allow_truncated)
    : engine_(engine),
      files_(std::move(files)),
      allow_truncated_(allow_truncated),
      writer_(&replies_, 2) {
  session_.authenticated = true;
  for (const std::string& f : files_) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) {
      fail(fmt::format("Unable to obtain the AOF file {} length. stat: {}", base_name(f),
                       std::strerror(errno)));
      return;
    }
    total_bytes_ += static_cast<uint64_t>(st.st_size);
  }
  engine_.keyspace.pause_expiry(true);
}

AofLoader::~AofLoader() {
  close_file();
  engine_.keyspace.pause_expiry(false);
}

void AofLoader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  close_file();
}

void AofLoader::close_file() {
  rdb_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

uint64_t AofLoader::offset_in_file() const {
  return rdb_ ? rdb_->bytes_read() : input_offset_;
}

bool AofLoader::open_next_file() {
  const std::string& path = files_[index_];
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    fail(fmt::format("Fatal error: can't open the append log file {} for reading: {}",
                     base_name(path), std::strerror(errno)));
    return false;
  }
  eof_ = false;
  input_.clear();
  input_offset_ = 0;
  valid_up_to_ = 0;
  in_multi_ = false;
  queued_.clear();
  session_.db = 0;  // each file starts in database 0, as a new connection would
  char magic[5];
  ssize_t n = ::pread(fd_, magic, sizeof magic, 0);
  if (n == 5 && std::memcmp(magic, "REDIS", 5) == 0) {
    CACHET_LOG_NOTICE("Reading RDB base file on AOF loading...");
    // Keys whose time has passed are kept, as Valkey keeps them in a preamble: the commands
    // after it may still use them, and the file says when they go.
    rdb_ = std::make_unique<persist::SnapshotLoader>(path, engine_.keyspace,
                                                     commands::load_limits(engine_.config),
                                                     now_ms(), /*expire_on_load=*/false);
    if (!rdb_->ok()) {
      fail(fmt::format("Error reading the RDB base file {}, AOF loading aborted: {}",
                       base_name(path), rdb_->error()));
      return false;
    }
  }
  return true;
}

bool AofLoader::step(int64_t budget_us) {
  if (done_ || !ok()) return false;
  int64_t deadline = monotonic_us() + budget_us;
  int64_t key_delay_us = engine_.config.key_load_delay;
  while (monotonic_us() < deadline) {
    if (fd_ < 0) {
      if (index_ == files_.size()) {
        done_ = true;
        return false;
      }
      if (!open_next_file()) return false;
    }
    if (rdb_) {
      if (rdb_->step(key_delay_us > 0 ? 1 : 1024)) continue;
      if (!rdb_->ok()) {
        fail(fmt::format("Error reading the RDB base file {}, AOF loading aborted: {}",
                         base_name(files_[index_]), rdb_->error()));
        return false;
      }
      // What follows the RDB part, if anything, is commands (an old AOF with a preamble).
      input_offset_ = valid_up_to_ = rdb_->bytes_read();
      rdb_.reset();
      continue;
    }
    if (replay_some(deadline)) continue;
    if (!ok()) return false;
    CACHET_LOG_NOTICE("DB loaded from {} file {}", index_ == 0 ? "base" : "incr",
                      base_name(files_[index_]));
    bytes_before_file_ += input_offset_;
    close_file();
    ++index_;
  }
  return true;
}

bool AofLoader::refill() {
  if (eof_) return false;
  char* dst = input_.reserve(kReadChunk);
  ssize_t n;
  do {
    n = ::pread(fd_, dst, kReadChunk, static_cast<off_t>(input_offset_ + input_.size()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    fail(fmt::format("Unrecoverable error reading the append only file {}: {}",
                     base_name(files_[index_]), std::strerror(errno)));
    return false;
  }
  if (n == 0) {
    eof_ = true;
    return false;
  }
  input_.commit(static_cast<size_t>(n));
  return true;
}

// One command in the form the file holds: *<argc>\r\n then $<len>\r\n<bytes>\r\n per argument.
// As Valkey's reader: lines must start with '*' and '$', counts are taken as atoi takes them,
// and the two bytes after each argument are skipped unread.
AofLoader::Parse AofLoader::parse_command(std::vector<std::string_view>* argv,
                                         size_t* consumed) {
  std::string_view in = input_.view();
  size_t pos = 0;
  auto read_line = [&](std::string_view* line) -> int {  // 1 ok, 0 need more, -1 too long
    size_t end = in.find('\n', pos);
    if (end == std::string_view::npos) return in.size() - pos > kMaxHeaderLine ? -1 : 0;
    *line = in.substr(pos, end + 1 - pos);
    pos = end + 1;
    return 1;
  };
  std::string_view line;
  int r = read_line(&line);
  if (r <= 0) return r == 0 ? Parse::kNeedMore : Parse::kBadFormat;
  if (line[0] == '#') {  // an annotation (aof-timestamp-enabled): skipped
    argv->clear();
    *consumed = pos;
    return Parse::kCommand;
  }
  if (line[0] != '*') return Parse::kBadFormat;
  long argc = std::atol(std::string(line.substr(1)).c_str());
  if (argc < 1) return Parse::kBadFormat;
  argv->clear();
  for (long i = 0; i < argc; ++i) {
    r = read_line(&line);
    if (r <= 0) return r == 0 ? Parse::kNeedMore : Parse::kBadFormat;
    if (line[0] != '$') return Parse::kBadFormat;
    long len = std::strtol(std::string(line.substr(1)).c_str(), nullptr, 10);
    if (len < 0) return Parse::kBadFormat;
    if (in.size() - pos < static_cast<size_t>(len) + 2) return Parse::kNeedMore;
    argv->push_back(in.substr(pos, static_cast<size_t>(len)));
    pos += static_cast<size_t>(len) + 2;
  }
  *consumed = pos;
  return Parse::kCommand;
}

bool AofLoader::replay_some(int64_t deadline_us) {
  std::vector<std::string_view> argv;
  int64_t key_delay_us = engine_.config.key_load_delay;
  for (size_t loops = 0;; ++loops) {
    if ((loops & 1023) == 1023 && monotonic_us() >= deadline_us) return true;
    size_t consumed = 0;
    Parse p = parse_command(&argv, &consumed);
    if (p == Parse::kBadFormat) {
      fail(fmt::format("Bad file format reading the append only file {}: make a backup of your "
                       "AOF file, then use ./valkey-check-aof --fix <filename.manifest>",
                       base_name(files_[index_])));
      return false;
    }
    if (p == Parse::kNeedMore) {
      if (refill()) continue;
      if (!ok()) return false;
      // End of file: clean if nothing is left over and no transaction is open.
      if (input_.empty() && !in_multi_) return false;
      return handle_truncation();
    }
    if (!argv.empty() && !run(argv)) return false;
    input_.consume(consumed);
    input_offset_ += consumed;
    if (!in_multi_) valid_up_to_ = input_offset_;
    if (key_delay_us > 0) {
      ::usleep(static_cast<useconds_t>(key_delay_us));
      if (monotonic_us() >= deadline_us) return true;
    }
  }
}

bool AofLoader::handle_truncation() {
  const std::string& path = files_[index_];
  std::string name = base_name(path);
  if (in_multi_) {
    CACHET_LOG_WARNING("Revert incomplete MULTI/EXEC transaction in AOF file {}", name);
    valid_up_to_ = valid_before_multi_;
  }
  bool last_file = index_ + 1 == files_.size();
  if (allow_truncated_ && last_file) {
    CACHET_LOG_WARNING("!!! Warning: short read while loading the AOF file {}!!!", name);
    CACHET_LOG_WARNING("!!! Truncating the AOF {} at offset {} !!!", name, valid_up_to_);
    if (::truncate(path.c_str(), static_cast<off_t>(valid_up_to_)) == 0) {
      CACHET_LOG_WARNING("AOF {} loaded anyway because aof-load-truncated is enabled", name);
      input_.clear();
      input_offset_ = valid_up_to_;
      return false;  // the file is done
    }
    CACHET_LOG_WARNING("Error truncating the AOF file {}: {}", name, std::strerror(errno));
  }
  if (allow_truncated_ && !last_file) {
    fail(fmt::format("Fatal error: the truncated file {} is not the last file", name));
    return false;
  }
  fail(fmt::format(
      "Unexpected end of file reading the append only file {}. You can: 1) Make a backup of "
      "your AOF file, then use ./valkey-check-aof --fix <filename.manifest>. 2) Alternatively "
      "you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
      name));
  return false;
}

bool AofLoader::run(const std::vector<std::string_view>& argv) {
  commands::CommandSpec* spec = engine_.commands.resolve(argv);
  if (spec == nullptr) {
    fail(fmt::format("Unknown command '{}' reading the append only file {}", argv[0],
                     base_name(files_[index_])));
    return false;
  }
  if (!spec->arity_ok(argv.size()) || spec->handler == nullptr) {
    fail(fmt::format("Wrong number of arguments for '{}' reading the append only file {}",
                     spec->name, base_name(files_[index_])));
    return false;
  }
  ++commands_;
  // A transaction is applied whole at its EXEC, or not at all if the file ends first.
  if (spec->name == "multi") {
    in_multi_ = true;
    valid_before_multi_ = valid_up_to_;
    queued_.clear();
    return true;
  }
  if (spec->name == "exec") {
    for (const std::vector<std::string>& q : queued_) {
      std::vector<std::string_view> args(q.begin(), q.end());
      execute(*engine_.commands.resolve(args), args);  // resolved once already when queued
    }
    queued_.clear();
    in_multi_ = false;
    return true;
  }
  if (in_multi_) {
    queued_.emplace_back(argv.begin(), argv.end());
    return true;
  }
  execute(*spec, argv);
  return true;
}

void AofLoader::execute(commands::CommandSpec& spec, const std::vector<std::string_view>& argv) {
  commands::CommandContext ctx{engine_, session_, argv, writer_, now_ms(), nullptr};
  spec.handler(ctx);
  // Replies go nowhere, and nothing waits: a blocking command that found nothing just ends.
  replies_.clear();
  session_.block_request = {};
}

}  // namespace cachet::server
