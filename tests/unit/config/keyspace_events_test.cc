#include "config/keyspace_events.h"

#include <gtest/gtest.h>

namespace cachet::config {
namespace {

uint32_t parse(std::string_view letters) {
  uint32_t flags = 0xdeadbeef;
  EXPECT_TRUE(parse_keyspace_events(letters, &flags)) << letters;
  return flags;
}

TEST(KeyspaceEvents, EmptyMeansOff) { EXPECT_EQ(parse(""), 0u); }

TEST(KeyspaceEvents, LettersMapToClasses) {
  EXPECT_EQ(parse("K"), kNotifyKeyspace);
  EXPECT_EQ(parse("E$"), kNotifyKeyevent | kNotifyString);
  EXPECT_EQ(parse("glshzxetdnm"), kNotifyGeneric | kNotifyList | kNotifySet | kNotifyHash |
                                      kNotifyZset | kNotifyExpired | kNotifyEvicted |
                                      kNotifyStream | kNotifyModule | kNotifyNew |
                                      kNotifyKeyMiss);
}

TEST(KeyspaceEvents, AllLeavesOutKeyMissAndNew) {
  uint32_t a = parse("A");
  EXPECT_EQ(a & kNotifyKeyMiss, 0u);
  EXPECT_EQ(a & kNotifyNew, 0u);
  EXPECT_EQ(a & (kNotifyKeyspace | kNotifyKeyevent), 0u);
  EXPECT_EQ(a, kNotifyAll);
}

TEST(KeyspaceEvents, UnknownLetterIsRefusedAndLeavesFlagsAlone) {
  uint32_t flags = 7;
  EXPECT_FALSE(parse_keyspace_events("KEq", &flags));
  EXPECT_FALSE(parse_keyspace_events("a", &flags));  // case matters: A is a class, a is not
  EXPECT_EQ(flags, 7u);
}

TEST(KeyspaceEvents, FormatIsValkeysCanonicalOrder) {
  EXPECT_EQ(format_keyspace_events(parse("")), "");
  EXPECT_EQ(format_keyspace_events(parse("EKA")), "AKE");
  EXPECT_EQ(format_keyspace_events(parse("mE$gK")), "g$KEm");
  EXPECT_EQ(format_keyspace_events(parse("nxl")), "lxn");
  // Every data class spelled out prints as A; n beside A is kept but not printed, as Valkey.
  EXPECT_EQ(format_keyspace_events(parse("g$lshzxetd")), "A");
  EXPECT_EQ(format_keyspace_events(parse("An")), "A");
}

}  // namespace
}  // namespace cachet::config
