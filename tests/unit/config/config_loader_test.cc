#include "config/config_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace cachet::config {
namespace {

using SavePoints = std::vector<std::pair<int64_t, int64_t>>;

// A file in a fresh temporary directory, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    std::string templ = ::testing::TempDir() + "cachet_conf_XXXXXX";
    int fd = mkstemp(templ.data());
    EXPECT_GE(fd, 0);
    if (fd >= 0) close(fd);
    path_ = templ;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

LoadResult load(std::string_view text, ServerConfig* c, const std::string& source = "test.conf") {
  return load_from_text(text, source, c);
}

// Loads `text` expecting failure and returns the report.
std::string load_error(std::string_view text, const std::string& source = "test.conf") {
  ServerConfig c;
  LoadResult r = load_from_text(text, source, &c);
  EXPECT_FALSE(r.ok) << text;
  return r.error;
}

TEST(ConfigLoader, EmptyTextKeepsDefaults) {
  ServerConfig c;
  LoadResult r = load("", &c);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.save, (SavePoints{{3600, 1}, {300, 100}, {60, 10000}}));
}

TEST(ConfigLoader, ValidLinesCommentsAndBlankLines) {
  ServerConfig c;
  LoadResult r = load(
      "# a comment\n"
      "\n"
      "port 7000\n"
      "   hz 20   \n"
      "bind 127.0.0.1 ::1\n"
      "protected-mode no\n"
      "maxmemory 100mb\n"
      "maxmemory-policy allkeys-lru\n"
      "loglevel WARNING\n"
      "databases 4",  // no trailing newline
      &c);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.hz, 20);
  EXPECT_EQ(c.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_FALSE(c.protected_mode);
  EXPECT_EQ(c.maxmemory, 100LL * 1024 * 1024);
  EXPECT_EQ(c.maxmemory_policy, MaxmemoryPolicy::kAllkeysLru);
  EXPECT_EQ(c.loglevel, "warning");
  EXPECT_EQ(c.databases, 4);
  EXPECT_TRUE(r.config_file.empty());
}

TEST(ConfigLoader, CrlfLineEndings) {
  ServerConfig c;
  LoadResult r = load("port 7001\r\nhz 30\r\n", &c);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(c.port, 7001);
  EXPECT_EQ(c.hz, 30);
}

TEST(ConfigLoader, DirectiveNamesAreCaseInsensitive) {
  ServerConfig c;
  ASSERT_TRUE(load("PORT 7002\nProtected-Mode YES\n", &c).ok);
  EXPECT_EQ(c.port, 7002);
  EXPECT_TRUE(c.protected_mode);
}

TEST(ConfigLoader, LaterLinesWin) {
  ServerConfig c;
  ASSERT_TRUE(load("port 1\nport 2\n", &c).ok);
  EXPECT_EQ(c.port, 2);
}

TEST(ConfigLoader, QuotedValues) {
  ServerConfig c;
  LoadResult r = load(
      "requirepass \"p a s s\"\n"
      "logfile '/tmp/it\\'s.log'\n"
      "dbfilename \"dump\\x2drdb\"\n"
      "pidfile \"\"\n",
      &c);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(c.requirepass, "p a s s");
  EXPECT_EQ(c.logfile, "/tmp/it's.log");
  EXPECT_EQ(c.dbfilename, "dump-rdb");
  EXPECT_EQ(c.pidfile, "");
}

TEST(ConfigLoader, SaveLinesAccumulate) {
  ServerConfig c;
  ASSERT_TRUE(load("save 900 1\nsave 300 10\nsave 60 10000 30 5\n", &c).ok);
  EXPECT_EQ(c.save, (SavePoints{{900, 1}, {300, 10}, {60, 10000}, {30, 5}}));
}

TEST(ConfigLoader, SaveEmptyStringDisablesSnapshots) {
  ServerConfig c;
  ASSERT_TRUE(load("save \"\"\n", &c).ok);
  EXPECT_TRUE(c.save.empty());

  ServerConfig c2;
  ASSERT_TRUE(load("save 900 1\nsave ''\n", &c2).ok);
  EXPECT_TRUE(c2.save.empty());
}

TEST(ConfigLoader, SaveAfterSaveEmptyStartsAfresh) {
  ServerConfig c;
  ASSERT_TRUE(load("save \"\"\nsave 60 5\n", &c).ok);
  EXPECT_EQ(c.save, (SavePoints{{60, 5}}));
}

TEST(ConfigLoader, BadSaveParameters) {
  EXPECT_NE(load_error("save 900\n").find("Invalid save parameters"), std::string::npos);
  EXPECT_NE(load_error("save 0 1\n").find("Invalid save parameters"), std::string::npos);
  EXPECT_NE(load_error("save x 1\n").find("Invalid save parameters"), std::string::npos);
}

TEST(ConfigLoader, UnknownDirectiveReport) {
  std::string err = load_error("port 7000\nno-such-thing 42\n", "my.conf");
  EXPECT_NE(err.find("my.conf"), std::string::npos) << err;
  EXPECT_NE(err.find("line 2"), std::string::npos) << err;
  EXPECT_NE(err.find(">>> 'no-such-thing 42'"), std::string::npos) << err;
  EXPECT_NE(err.find("Bad directive or wrong number of arguments"), std::string::npos) << err;
  EXPECT_NE(err.find("*** FATAL CONFIG FILE ERROR"), std::string::npos) << err;
}

TEST(ConfigLoader, LineNumbersCountCommentsAndBlankLines) {
  std::string err = load_error("# one\n\n# three\nport banana\n");
  EXPECT_NE(err.find("line 4"), std::string::npos) << err;
}

TEST(ConfigLoader, DirectiveWithoutArgumentIsBad) {
  EXPECT_NE(load_error("port\n").find("Bad directive or wrong number of arguments"),
            std::string::npos);
}

TEST(ConfigLoader, TooManyArgumentsForASingleValue) {
  EXPECT_NE(load_error("port 1 2\n").find("wrong number of arguments"), std::string::npos);
}

TEST(ConfigLoader, BadBoolReason) {
  std::string err = load_error("protected-mode maybe\n");
  EXPECT_NE(err.find("argument must be 'yes' or 'no'"), std::string::npos) << err;
  EXPECT_NE(err.find("protected-mode maybe"), std::string::npos) << err;
}

TEST(ConfigLoader, BadIntegerReasons) {
  EXPECT_NE(load_error("port 70000\n").find("argument must be between 0 and 65535 inclusive"),
            std::string::npos);
  EXPECT_NE(load_error("port -1\n").find("argument must be between 0 and 65535 inclusive"),
            std::string::npos);
  EXPECT_NE(load_error("port abc\n").find("argument couldn't be parsed into an integer"),
            std::string::npos);
  EXPECT_NE(load_error("hz 0\n").find("argument must be between 1 and 500 inclusive"),
            std::string::npos);
}

TEST(ConfigLoader, BadMemoryReasons) {
  EXPECT_NE(load_error("maxmemory 12xb\n").find("argument must be a memory value"),
            std::string::npos);
  EXPECT_NE(load_error("proto-max-bulk-len 1k\n").find("argument must be between 1048576 and"),
            std::string::npos);
}

TEST(ConfigLoader, BadEnumReason) {
  EXPECT_NE(load_error("appendfsync sometimes\n")
                .find("argument(s) must be one of the following: always, everysec, no"),
            std::string::npos);
}

TEST(ConfigLoader, UnbalancedQuotesReason) {
  std::string err = load_error("requirepass \"abc\n");
  EXPECT_NE(err.find("Unbalanced quotes in configuration line"), std::string::npos) << err;
}

TEST(ConfigLoader, IncludeReadsAnotherFile) {
  TempFile inc("port 7001\nsave 100 1\n");
  ServerConfig c;
  LoadResult r = load("hz 30\ninclude " + inc.path() + "\nsave 200 2\n", &c);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(c.port, 7001);
  EXPECT_EQ(c.hz, 30);
  EXPECT_EQ(c.save, (SavePoints{{100, 1}, {200, 2}}));
}

TEST(ConfigLoader, LinesAfterAnIncludeOverrideIt) {
  TempFile inc("port 7001\n");
  ServerConfig c;
  ASSERT_TRUE(load("include " + inc.path() + "\nport 7002\n", &c).ok);
  EXPECT_EQ(c.port, 7002);
}

TEST(ConfigLoader, ErrorInIncludedFileNamesThatFile) {
  TempFile inc("hz 20\nbogus yes\n");
  std::string err = load_error("include " + inc.path() + "\n");
  EXPECT_NE(err.find(inc.path()), std::string::npos) << err;
  EXPECT_NE(err.find("line 2"), std::string::npos) << err;
}

TEST(ConfigLoader, MissingIncludeFile) {
  std::string err = load_error("include /nonexistent/cachet/none.conf\n");
  EXPECT_NE(err.find("can't open config file '/nonexistent/cachet/none.conf'"), std::string::npos)
      << err;
}

TEST(ConfigLoader, SelfIncludeStopsAtTheNestingLimit) {
  TempFile self("");
  std::ofstream(self.path()) << "include " << self.path() << "\n";
  std::string err = load_error("include " + self.path() + "\n");
  EXPECT_NE(err.find("Too many nested includes"), std::string::npos) << err;
}

// Calls load_from_args with argv = {"cachet-server", args...}.
LoadResult load_args(std::vector<const char*> args, ServerConfig* c) {
  args.insert(args.begin(), "cachet-server");
  return load_from_args(static_cast<int>(args.size()), args.data(), c);
}

TEST(ConfigLoaderArgs, OverridesOnly) {
  ServerConfig c;
  LoadResult r = load_args({"--port", "7000", "--save", "900", "1", "--save", ""}, &c);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(c.port, 7000);
  EXPECT_TRUE(c.save.empty());
  EXPECT_TRUE(r.config_file.empty());
}

TEST(ConfigLoaderArgs, SaveOverridesAccumulate) {
  ServerConfig c;
  ASSERT_TRUE(load_args({"--save", "900", "1", "--save", "300", "10"}, &c).ok);
  EXPECT_EQ(c.save, (SavePoints{{900, 1}, {300, 10}}));
}

TEST(ConfigLoaderArgs, MultiWordOverride) {
  ServerConfig c;
  ASSERT_TRUE(load_args({"--bind", "127.0.0.1", "::1", "--hz", "50"}, &c).ok);
  EXPECT_EQ(c.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c.hz, 50);
}

TEST(ConfigLoaderArgs, FileThenOverridesWhichWin) {
  TempFile file("port 7001\nhz 20\n");
  ServerConfig c;
  LoadResult r = load_args({file.path().c_str(), "--port", "7002"}, &c);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(c.port, 7002);
  EXPECT_EQ(c.hz, 20);
  ASSERT_FALSE(r.config_file.empty());
  EXPECT_EQ(r.config_file.front(), '/');
}

TEST(ConfigLoaderArgs, MissingConfigFile) {
  ServerConfig c;
  LoadResult r = load_args({"/nonexistent/cachet.conf"}, &c);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("can't open config file '/nonexistent/cachet.conf'"), std::string::npos)
      << r.error;
}

TEST(ConfigLoaderArgs, BadOverrideIsReportedAsCommandLine) {
  ServerConfig c;
  LoadResult r = load_args({"--port", "banana"}, &c);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("(command line)"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("argument couldn't be parsed into an integer"), std::string::npos)
      << r.error;
}

TEST(ParseMemory, Units) {
  struct Case {
    const char* text;
    int64_t value;
  };
  for (const Case& c : {Case{"0", 0}, Case{"100", 100}, Case{"5b", 5}, Case{"1k", 1000},
                        Case{"1kb", 1024}, Case{"1K", 1000}, Case{"1KB", 1024},
                        Case{"2m", 2000000}, Case{"2mb", 2 * 1024 * 1024},
                        Case{"1g", 1000000000}, Case{"1gb", 1024LL * 1024 * 1024},
                        Case{"3Gb", 3LL * 1024 * 1024 * 1024}}) {
    int64_t v = -1;
    EXPECT_TRUE(parse_memory(c.text, &v)) << c.text;
    EXPECT_EQ(v, c.value) << c.text;
  }
}

TEST(ParseMemory, RejectsJunkNegativesAndOverflow) {
  int64_t v = 7;
  for (const char* bad : {"", "kb", "k", "-1", "-1kb", "1.5mb", "1 kb", "1tb", "1kbb", "abc",
                          "9223372036854775807gb", "10000000000g"}) {
    EXPECT_FALSE(parse_memory(bad, &v)) << '"' << bad << '"';
  }
  EXPECT_EQ(v, 7);
}

}  // namespace
}  // namespace cachet::config
