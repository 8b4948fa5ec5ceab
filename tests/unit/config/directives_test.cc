#include "config/directives.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/strings.h"

namespace cachet::config {
namespace {

using Words = std::vector<std::string>;

// Sets directive `name` from `words`; returns "" on success or the reason it gave.
std::string try_set(ServerConfig& c, std::string_view name, const Words& words) {
  const Directive* d = find_directive(name);
  if (d == nullptr) return "<no such directive>";
  std::string err;
  return d->set(c, words, &err) ? "" : err;
}

TEST(Directives, FindIsCaseInsensitive) {
  const Directive* d = find_directive("port");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "port");
  EXPECT_EQ(find_directive("PoRt"), d);
  EXPECT_EQ(find_directive("no-such-directive"), nullptr);
  EXPECT_EQ(find_directive(""), nullptr);
}

TEST(Directives, EveryDirectiveHasSetAndGetAndAUniqueName) {
  std::set<std::string> names;
  for (const Directive& d : directives()) {
    EXPECT_TRUE(d.set) << d.name;
    EXPECT_TRUE(d.get) << d.name;
    EXPECT_TRUE(names.insert(to_lower(d.name)).second) << "duplicate " << d.name;
    EXPECT_EQ(find_directive(d.name), &d) << d.name;
  }
  EXPECT_GT(names.size(), 40u);
}

TEST(Directives, DefaultValuesRoundTripThroughSet) {
  // CONFIG GET then CONFIG SET of the same value must be accepted and change nothing.
  for (const Directive& d : directives()) {
    ServerConfig c;
    std::string before = d.get(c);
    std::string err;
    EXPECT_TRUE(d.set(c, split_set_value(d, before), &err)) << d.name << ": " << err;
    EXPECT_EQ(d.get(c), before) << d.name;
  }
}

TEST(Directives, DirectiveValueFormatsDefaults) {
  ServerConfig c;
  EXPECT_EQ(directive_value("port", c), "6379");
  EXPECT_EQ(directive_value("protected-mode", c), "yes");
  EXPECT_EQ(directive_value("bind", c), "* -::*");
  EXPECT_EQ(directive_value("save", c), "3600 1 300 100 60 10000");
  EXPECT_EQ(directive_value("maxmemory-policy", c), "noeviction");
  EXPECT_EQ(directive_value("appendfsync", c), "everysec");
  EXPECT_EQ(directive_value("tls-auth-clients", c), "yes");
  EXPECT_EQ(directive_value("proto-max-bulk-len", c), "536870912");
  EXPECT_EQ(directive_value("client-output-buffer-limit", c),
            "normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(directive_value("nope", c), "");
}

TEST(Directives, Flags) {
  EXPECT_TRUE(find_directive("databases")->has_flag(kImmutable));
  EXPECT_FALSE(find_directive("port")->has_flag(kImmutable));
  EXPECT_TRUE(find_directive("requirepass")->has_flag(kSensitive));
  EXPECT_TRUE(find_directive("save")->has_flag(kMultiArg));
  EXPECT_TRUE(find_directive("save")->has_flag(kAccumulate));
  EXPECT_TRUE(find_directive("bind")->has_flag(kMultiArg));
  EXPECT_FALSE(find_directive("bind")->has_flag(kAccumulate));
  EXPECT_EQ(find_directive("port")->apply, ApplyGroup::kListeners);
}

TEST(Directives, BoolValues) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "protected-mode", {"NO"}), "");
  EXPECT_FALSE(c.protected_mode);
  EXPECT_EQ(try_set(c, "protected-mode", {"Yes"}), "");
  EXPECT_TRUE(c.protected_mode);
  EXPECT_EQ(try_set(c, "protected-mode", {"1"}), "argument must be 'yes' or 'no'");
  EXPECT_EQ(try_set(c, "protected-mode", {"yes", "no"}), "argument must be 'yes' or 'no'");
  EXPECT_TRUE(c.protected_mode);
}

TEST(Directives, IntegerRanges) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "port", {"0"}), "");
  EXPECT_EQ(try_set(c, "port", {"65535"}), "");
  EXPECT_EQ(c.port, 65535);
  EXPECT_EQ(try_set(c, "port", {"65536"}), "argument must be between 0 and 65535 inclusive");
  EXPECT_EQ(try_set(c, "port", {"-1"}), "argument must be between 0 and 65535 inclusive");
  EXPECT_EQ(try_set(c, "port", {"+1"}), "argument couldn't be parsed into an integer");
  EXPECT_EQ(try_set(c, "port", {"80 "}), "argument couldn't be parsed into an integer");
  EXPECT_EQ(c.port, 65535);  // failed sets change nothing
  EXPECT_EQ(try_set(c, "maxmemory-samples", {"65"}), "argument must be between 1 and 64 inclusive");
}

TEST(Directives, MemoryValues) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "maxmemory", {"1gb"}), "");
  EXPECT_EQ(c.maxmemory, 1024LL * 1024 * 1024);
  EXPECT_EQ(try_set(c, "maxmemory", {"1k"}), "");
  EXPECT_EQ(c.maxmemory, 1000);
  EXPECT_EQ(try_set(c, "maxmemory", {"lots"}), "argument must be a memory value");
  EXPECT_EQ(try_set(c, "proto-max-bulk-len", {"1mb"}), "");
  EXPECT_EQ(c.proto_max_bulk_len, 1024 * 1024);
}

TEST(Directives, EnumValues) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "maxmemory-policy", {"ALLKEYS-LFU"}), "");
  EXPECT_EQ(c.maxmemory_policy, MaxmemoryPolicy::kAllkeysLfu);
  EXPECT_EQ(directive_value("maxmemory-policy", c), "allkeys-lfu");
  EXPECT_EQ(try_set(c, "tls-auth-clients", {"optional"}), "");
  EXPECT_EQ(c.tls_auth_clients, TlsAuthClients::kOptional);
  EXPECT_EQ(try_set(c, "tls-auth-clients", {"maybe"}),
            "argument(s) must be one of the following: no, yes, optional");
  EXPECT_EQ(c.tls_auth_clients, TlsAuthClients::kOptional);
}

TEST(Directives, LoglevelIsStoredLowercase) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "loglevel", {"DEBUG"}), "");
  EXPECT_EQ(c.loglevel, "debug");
  EXPECT_EQ(try_set(c, "loglevel", {"loud"}),
            "argument(s) must be one of the following: debug, verbose, notice, warning, nothing");
}

TEST(Directives, AppendOnlyDirectivesAreCheckedAsValkeyChecksThem) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "appendonly", {"no"}), "");
  EXPECT_EQ(try_set(c, "appendonly", {"yes"}), "");
  EXPECT_TRUE(c.appendonly);
  EXPECT_EQ(try_set(c, "appendfilename", {"dir/x.aof"}),
            "must be a valid file name without a path");
  EXPECT_EQ(try_set(c, "appenddirname", {".."}), "must be a valid file name without a path");
  EXPECT_EQ(try_set(c, "appendfsync", {"always"}), "");
  EXPECT_EQ(try_set(c, "appendonly", {"perhaps"}), "argument must be 'yes' or 'no'");
}

TEST(Directives, SaveValues) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "save", {"900", "1", "300", "10"}), "");
  EXPECT_EQ(c.save, (std::vector<std::pair<int64_t, int64_t>>{{900, 1}, {300, 10}}));
  EXPECT_EQ(try_set(c, "save", {"900"}), "Invalid save parameters");
  EXPECT_EQ(try_set(c, "save", {"900", "-1"}), "Invalid save parameters");
  EXPECT_EQ(c.save.size(), 2u);
  EXPECT_EQ(try_set(c, "save", {""}), "");
  EXPECT_TRUE(c.save.empty());
  EXPECT_EQ(directive_value("save", c), "");
}

TEST(Directives, BindValues) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "bind", {"127.0.0.1", "::1"}), "");
  EXPECT_EQ(c.bind, (Words{"127.0.0.1", "::1"}));
  EXPECT_EQ(try_set(c, "bind", Words(17, "127.0.0.1")), "Too many bind addresses specified.");
}

TEST(Directives, ClientOutputBufferLimit) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "client-output-buffer-limit", {"normal", "1mb", "512kb", "10"}), "");
  EXPECT_EQ(c.obuf_normal.hard_bytes, 1024 * 1024);
  EXPECT_EQ(c.obuf_normal.soft_bytes, 512 * 1024);
  EXPECT_EQ(c.obuf_normal.soft_seconds, 10);
  EXPECT_EQ(try_set(c, "client-output-buffer-limit", {"slave", "1", "2", "3"}), "");
  EXPECT_EQ(c.obuf_replica.hard_bytes, 1);
  EXPECT_EQ(try_set(c, "client-output-buffer-limit", {"bogus", "1", "2", "3"}),
            "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(try_set(c, "client-output-buffer-limit", {"normal", "1"}),
            "Wrong number of arguments in buffer limit configuration.");
  // All or nothing: a bad second class leaves the first unchanged.
  EXPECT_NE(try_set(c, "client-output-buffer-limit", {"pubsub", "9", "9", "9", "normal", "x", "1", "1"}),
            "");
  EXPECT_EQ(c.obuf_pubsub.hard_bytes, 32LL * 1024 * 1024);
}

TEST(SplitSetValue, MultiArgSplitsOnSpaces) {
  const Directive* save = find_directive("save");
  EXPECT_EQ(split_set_value(*save, "900 1  300 10"), (Words{"900", "1", "300", "10"}));
  EXPECT_EQ(split_set_value(*save, ""), Words{});
  const Directive* pass = find_directive("requirepass");
  EXPECT_EQ(split_set_value(*pass, "a b c"), Words{"a b c"});
  EXPECT_EQ(split_set_value(*pass, ""), Words{""});
}

// The builders, applied to a directive outside the table.
TEST(DirectiveBuilders, IntDirective) {
  Directive d = int_directive("my-int", &ServerConfig::hz, 5, 10);
  ServerConfig c;
  std::string err;
  EXPECT_TRUE(d.set(c, {"7"}, &err));
  EXPECT_EQ(c.hz, 7);
  EXPECT_EQ(d.get(c), "7");
  EXPECT_FALSE(d.set(c, {"11"}, &err));
  EXPECT_EQ(err, "argument must be between 5 and 10 inclusive");
}

TEST(DirectiveBuilders, StringDirective) {
  Directive d = string_directive("my-str", &ServerConfig::dir, kImmutable);
  ServerConfig c;
  std::string err;
  EXPECT_TRUE(d.has_flag(kImmutable));
  EXPECT_TRUE(d.set(c, {"/data dir"}, &err));
  EXPECT_EQ(d.get(c), "/data dir");
  EXPECT_FALSE(d.set(c, {"a", "b"}, &err));
  EXPECT_EQ(err, "wrong number of arguments");
}

TEST(DirectiveBuilders, MatchesNameAndAliasesIgnoringCase) {
  Directive d = bool_directive("replica-read-only", &ServerConfig::daemonize);
  d.aliases = {"slave-read-only"};
  EXPECT_TRUE(d.matches("replica-read-only"));
  EXPECT_TRUE(d.matches("SLAVE-read-only"));
  EXPECT_FALSE(d.matches("read-only"));
}

TEST(Directives, ShutdownOnSignalTakesSeveralWordsAsValkeyDoes) {
  ServerConfig c;
  EXPECT_EQ(try_set(c, "shutdown-on-sigterm", {"nosave", "force"}), "");
  EXPECT_EQ(c.shutdown_on_sigterm, kShutdownNoSave | kShutdownForce);
  EXPECT_EQ(try_set(c, "shutdown-on-sigterm", {"save", "nosave"}),
            "shutdown options SAVE and NOSAVE can't be used simultaneously");
  EXPECT_EQ(try_set(c, "shutdown-on-sigint", {"later"}),
            "argument(s) must be one of the following: default, save, nosave, now, force");
  EXPECT_EQ(try_set(c, "shutdown-on-sigint", {"default"}), "");
  EXPECT_EQ(c.shutdown_on_sigint, 0u);
}

TEST(DirectiveBuilders, EnumError) {
  EXPECT_EQ(enum_error({"a", "b", "c"}), "argument(s) must be one of the following: a, b, c");
}

}  // namespace
}  // namespace cachet::config
