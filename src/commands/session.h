#pragma once
// The per-connection state that commands read and change: selected database, protocol
// version, authentication, name, reply mode. The server's Client owns one; commands never see
// sockets.
#include <cstdint>
#include <string>
#include <vector>

#include "store/value.h"

namespace cachet::commands {

struct CommandSpec;

// A command queued between MULTI and EXEC; it owns copies of its arguments.
struct QueuedCommand {
  CommandSpec* spec;
  std::vector<std::string> args;
};

class CommandInvoker;
class Subscriber;

// What a blocked client waits for (BLPOP and friends).
struct BlockState {
  bool active = false;
  int db = 0;
  std::vector<std::string> keys;
  int64_t deadline_ms = 0;  // 0: no timeout
  store::ValueType wait_type = store::ValueType::kList;  // only a key of this type wakes it
  CommandSpec* spec = nullptr;
  std::vector<std::string> argv;  // the command, re-run when a key is ready
};

// Set by a blocking command that found nothing, for the dispatcher to act on.
struct BlockRequest {
  bool requested = false;
  std::vector<std::string> keys;
  int64_t deadline_ms = 0;
  store::ValueType wait_type = store::ValueType::kList;
};

struct WatchedKey {
  int db;
  std::string key;
  bool expired_when_watched;
};

enum class ReplyMode { kOn, kOff, kSkipNext };

struct Session {
  uint64_t id = 0;
  int db = 0;
  int protocol = 2;
  bool authenticated = false;
  std::string name;
  std::string user = "default";
  std::string lib_name;
  std::string lib_version;
  ReplyMode reply_mode = ReplyMode::kOn;
  bool reply_on_requested = false;  // CLIENT REPLY ON ran: answer it even when skipping
  bool no_evict = false;
  bool no_touch = false;  // CLIENT NO-TOUCH: this client's reads leave LRU/LFU stamps alone
  bool close_after_reply = false;  // QUIT: answer, then close
  const std::string* last_command = nullptr;  // CLIENT LIST "cmd=": the table's name, no copy

  // MULTI/EXEC state.
  bool in_multi = false;
  bool multi_aborted = false;  // a command was refused while queueing: EXEC answers EXECABORT
  std::vector<QueuedCommand> queued;
  std::vector<WatchedKey> watched;
  bool watch_dirty = false;  // a watched key changed: EXEC answers null

  // Blocking state. `may_block` is false inside EXEC, where blocking commands answer at once.
  BlockState block;
  BlockRequest block_request;
  bool may_block = true;
  CommandInvoker* invoker = nullptr;  // the client, for re-running blocked commands
  Subscriber* subscriber = nullptr;   // the client, as Pub/Sub sees it
};

}  // namespace cachet::commands
