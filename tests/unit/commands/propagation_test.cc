#include "commands/propagation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cachet::commands {
namespace {

// Records what reaches a sink as "db:ARG ARG ...".
class RecordingSink : public PropagationSink {
 public:
  void feed(int db, const std::vector<std::string_view>& argv) override {
    std::string line = std::to_string(db) + ":";
    for (size_t i = 0; i < argv.size(); ++i) {
      if (i > 0) line += ' ';
      line += argv[i];
    }
    lines.push_back(line);
  }
  std::vector<std::string> lines;
};

using Argv = std::vector<std::string_view>;

TEST(Propagator, WithoutSinksNothingIsKept) {
  Propagator p;
  p.begin_call();
  p.rewrite({"SET", "k", "v"});
  p.also(0, {"DEL", "x"});
  p.end_call(0, true, true, Argv{"set", "k", "v"});
  RecordingSink sink;
  p.add_sink(&sink);
  p.begin_call();
  p.end_call(0, false, false, Argv{"get", "k"});
  EXPECT_TRUE(sink.lines.empty());
}

TEST(Propagator, RecordsChangingCommandsAsSentOrAsRewritten) {
  Propagator p;
  RecordingSink sink;
  p.add_sink(&sink);
  p.begin_call();
  p.end_call(3, true, true, Argv{"set", "k", "v"});
  p.begin_call();
  p.rewrite({"PEXPIREAT", "k", "100"});
  p.end_call(3, true, true, Argv{"expire", "k", "1"});
  p.begin_call();
  p.end_call(3, true, false, Argv{"del", "missing"});  // changed nothing
  p.begin_call();
  p.force();
  p.end_call(0, true, false, Argv{"flushall"});
  p.begin_call();
  p.suppress();
  p.end_call(0, true, true, Argv{"set", "k", "v", "ex", "0"});
  EXPECT_EQ(sink.lines,
            (std::vector<std::string>{"3:set k v", "3:PEXPIREAT k 100", "0:flushall"}));
}

TEST(Propagator, AUnitOfSeveralCommandsIsWrappedInMultiExec) {
  Propagator p;
  RecordingSink sink;
  p.add_sink(&sink);
  p.begin_call();  // EXEC
  p.begin_call();
  p.also(0, {"UNLINK", "stale"});  // a lazy expiry met by the command
  p.end_call(0, true, true, Argv{"incr", "a"});
  p.begin_call();
  p.end_call(1, true, true, Argv{"incr", "b"});
  EXPECT_TRUE(sink.lines.empty());  // nothing leaves before the outermost call ends
  p.end_call(0, false, true, Argv{"exec"});  // not a write itself: its queue records itself
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"-1:MULTI", "0:UNLINK stale", "0:incr a",
                                                  "1:incr b", "-1:EXEC"}));
}

TEST(Propagator, ANonWriteCommandRecordsNothingEvenWhenWhatItRanAskedTo) {
  Propagator p;
  RecordingSink sink;
  p.add_sink(&sink);
  p.begin_call();  // DEBUG LOADAOF replaying a FLUSHALL through the handlers
  p.force();
  p.rewrite({"SET", "k", "v"});
  p.end_call(0, false, true, Argv{"debug", "loadaof"});
  EXPECT_TRUE(sink.lines.empty());
}

TEST(Propagator, OutsideACommandAnAdditionLeavesAtOnce) {
  Propagator p;
  RecordingSink sink;
  p.add_sink(&sink);
  p.also(2, {"DEL", "evicted"});
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"2:DEL evicted"}));
  p.remove_sink(&sink);
  p.also(2, {"DEL", "other"});
  EXPECT_EQ(sink.lines.size(), 1u);
}

}  // namespace
}  // namespace cachet::commands
