#pragma once
// The seam between writes and what records them: the append-only file now, replicas later.
//
// A write command that changed the dataset is handed on as the command that replays its
// effect. Most commands replay as sent; those whose effect depends on the moment or on chance
// say what to record instead (EXPIRE as PEXPIREAT, SPOP as SREM, BLPOP as LPOP ...). Keys the
// server removes on its own (expiry, eviction) are recorded as DEL/UNLINK.
//
// Everything one command (or one EXEC) produces is one unit: a unit of several commands is
// wrapped in MULTI/EXEC, so a reader never replays half of it. With no sink attached (the
// default: no AOF, no replicas) every entry point returns at its first test.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::commands {

class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  // One command to replay in database `db`; db -1 for MULTI and EXEC, which belong to no
  // database.
  virtual void feed(int db, const std::vector<std::string_view>& argv) = 0;
};

class Propagator {
 public:
  bool enabled() const { return !sinks_.empty(); }
  void add_sink(PropagationSink* sink);
  void remove_sink(PropagationSink* sink);

  // Brackets one command. Calls nest (EXEC runs its queue through them); the unit is handed
  // to the sinks when the outermost call ends.
  void begin_call();
  // `write`: the command is a write command; only those are recorded (EXEC's queue records
  // itself; DEBUG LOADAOF's replay must record nothing). `changed`: its change counter moved.
  // Records the command (or what it asked to be recorded as) when it changed something or
  // forced it.
  void end_call(int db, bool write, bool changed, const std::vector<std::string_view>& argv);

  // The running command is recorded as `argv` instead of as sent.
  void rewrite(std::vector<std::string> argv);
  void rewrite(std::initializer_list<std::string_view> argv);
  // The running command is recorded even if the change counter did not move (FLUSHALL of an
  // empty dataset still empties a replica's).
  void force();
  // The running command records nothing itself: it recorded its effect with also().
  void suppress();
  // Adds a command to the current unit, before the running command's own; outside any
  // command (active expiry, eviction from the cron) it is a unit of its own, handed on now.
  void also(int db, std::vector<std::string> argv);
  void also(int db, std::initializer_list<std::string_view> argv);

 private:
  struct Op {
    int db;
    std::vector<std::string> argv;
  };
  struct Frame {
    bool forced = false;
    bool suppressed = false;
    bool rewritten = false;
    std::vector<std::string> argv;
  };
  void flush();
  void feed(int db, const std::vector<std::string>& argv);

  std::vector<PropagationSink*> sinks_;
  std::vector<Frame> frames_;
  std::vector<Op> pending_;
};

}  // namespace cachet::commands
