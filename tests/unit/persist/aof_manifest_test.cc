#include "persist/aof_manifest.h"

#include <gtest/gtest.h>

namespace cachet::persist {
namespace {

TEST(AofManifest, FreshLayoutMatchesValkeys) {
  AofManifest m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.new_base("appendonly.aof", true).name, "appendonly.aof.1.base.rdb");
  EXPECT_EQ(m.new_incr("appendonly.aof").name, "appendonly.aof.1.incr.aof");
  EXPECT_EQ(m.to_string(),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
}

TEST(AofManifest, RewriteRetiresTheOldBaseAndIncrFiles) {
  AofManifest m;
  m.new_base("a.aof", true);
  m.new_incr("a.aof");
  m.new_incr("a.aof");  // opened when the rewrite started
  m.new_base("a.aof", true);
  m.retire_incr_but_last();
  EXPECT_EQ(m.to_string(),
            "file a.aof.2.base.rdb seq 2 type b\n"
            "file a.aof.1.incr.aof seq 1 type h\n"
            "file a.aof.1.base.rdb seq 1 type h\n"
            "file a.aof.2.incr.aof seq 2 type i\n");
  m.clear_history();
  EXPECT_EQ(m.history().size(), 0u);
  EXPECT_EQ(m.incr().back().seq, 2);
}

TEST(AofManifest, ParsesWhatItWritesAndContinuesTheSequences) {
  AofManifest m;
  m.new_base("x", false);
  m.new_incr("x");
  m.new_incr("x");
  AofManifest back;
  std::string error;
  ASSERT_TRUE(AofManifest::parse("# comment\n" + m.to_string(), &back, &error)) << error;
  EXPECT_EQ(back.to_string(), m.to_string());
  EXPECT_EQ(back.new_incr("x").name, "x.3.incr.aof");
  EXPECT_EQ(back.new_base("x", true).name, "x.2.base.rdb");
}

TEST(AofManifest, AcceptsKeysInAnyOrderAndQuotedNames) {
  AofManifest m;
  std::string error;
  ASSERT_TRUE(AofManifest::parse("seq 1 type b file \"my file\"\n", &m, &error)) << error;
  EXPECT_EQ(m.base()->name, "my file");
  EXPECT_EQ(m.to_string(), "file \"my file\" seq 1 type b\n");
}

TEST(AofManifest, RefusesMalformedManifestsInValkeysWords) {
  auto refuse = [](std::string_view text) {
    AofManifest m;
    std::string error;
    EXPECT_FALSE(AofManifest::parse(text, &m, &error)) << text;
    return error;
  };
  EXPECT_EQ(refuse(""), "Found an empty AOF manifest");
  EXPECT_EQ(refuse("file a seq 1\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(refuse("\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(refuse("file a seq 0 type b\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(refuse("file a seq 1 type b\nfile b seq 2 type b\n"),
            "Found duplicate base file information");
  EXPECT_EQ(refuse("file a seq 2 type i\nfile b seq 2 type i\n"),
            "Found a non-monotonic sequence number");
  EXPECT_EQ(refuse("file a seq 1 type x\n"), "Unknown AOF file type");
  EXPECT_EQ(refuse("file d/a seq 1 type b\n"), "File can't be a path, just a filename");
  EXPECT_EQ(refuse("file a seq 1 type b"), "The AOF manifest file contains too long line");
  EXPECT_EQ(refuse("file " + std::string(2000, 'a') + " seq 1 type b\n"),
            "The AOF manifest file contains too long line");
}

}  // namespace
}  // namespace cachet::persist
