#pragma once
// Replays an AOF at start-up: the base file (an RDB snapshot, possibly followed by commands,
// as an old single-file AOF with a preamble is) and then each incr file, command by command
// through the command table. It works in slices (step) so the server keeps answering -LOADING.
//
// Expiry is paused for the whole replay: the file records every expiry as a DEL where it
// happened, and until then the key must exist for the commands that touched it.
//
// A file that ends inside a command (a crash mid-write) is cut back to its last whole command
// when it is the last file and `aof-load-truncated` allows; a MULTI without its EXEC is
// dropped the same way. Anything else malformed stops the load with Valkey's message.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands/session.h"
#include "common/buffer.h"
#include "persist/snapshot.h"
#include "resp/reply_writer.h"

namespace cachet::commands {
class Engine;
struct CommandSpec;
}  // namespace cachet::commands

namespace cachet::server {

class AofLoader {
 public:
  // `files`: base first, then the incr files, as paths.
  AofLoader(commands::Engine& engine, std::vector<std::string> files, bool allow_truncated);
  ~AofLoader();

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool done() const { return done_; }
  // Loads for about `budget_us`; false once finished or failed.
  bool step(int64_t budget_us);

  uint64_t bytes_read() const { return bytes_before_file_ + offset_in_file(); }
  uint64_t total_bytes() const { return total_bytes_; }
  uint64_t commands_replayed() const { return commands_; }

 private:
  enum class Parse { kCommand, kNeedMore, kBadFormat };
  bool open_next_file();
  // Reads and runs commands until the budget ends; false when the file is finished.
  bool replay_some(int64_t deadline_us);
  Parse parse_command(std::vector<std::string_view>* argv, size_t* consumed);
  bool refill();
  bool run(const std::vector<std::string_view>& argv);
  void execute(commands::CommandSpec& spec, const std::vector<std::string_view>& argv);
  // The file ended inside a command or a transaction.
  bool handle_truncation();
  void close_file();
  uint64_t offset_in_file() const;
  void fail(std::string message);

  commands::Engine& engine_;
  std::vector<std::string> files_;
  bool allow_truncated_;
  size_t index_ = 0;
  bool done_ = false;
  std::string error_;
  uint64_t total_bytes_ = 0;
  uint64_t bytes_before_file_ = 0;
  uint64_t commands_ = 0;

  // The file being read.
  std::unique_ptr<persist::SnapshotLoader> rdb_;  // while its RDB part loads
  int fd_ = -1;
  bool eof_ = false;
  Buffer input_;
  uint64_t input_offset_ = 0;   // file offset of input_'s first byte
  uint64_t valid_up_to_ = 0;    // file offset after the last whole command
  uint64_t valid_before_multi_ = 0;
  bool in_multi_ = false;
  std::vector<std::vector<std::string>> queued_;

  commands::Session session_;
  Buffer replies_;  // what replayed commands answer, discarded
  resp::ReplyWriter writer_;
};

}  // namespace cachet::server
