#include "common/split_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cachet {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view line) {
  Words out;
  EXPECT_TRUE(split_args(line, &out)) << line;
  return out;
}

bool splits(std::string_view line) {
  Words out;
  return split_args(line, &out);
}

TEST(SplitArgs, EmptyAndBlankLinesGiveNoWords) {
  EXPECT_EQ(split(""), Words{});
  EXPECT_EQ(split("   \t  "), Words{});
}

TEST(SplitArgs, WhitespaceSeparates) {
  EXPECT_EQ(split("a b  c"), (Words{"a", "b", "c"}));
  EXPECT_EQ(split("  set\tkey \t value  "), (Words{"set", "key", "value"}));
}

TEST(SplitArgs, QuotesGroupWords) {
  EXPECT_EQ(split("set \"a b\" 'c d'"), (Words{"set", "a b", "c d"}));
  EXPECT_EQ(split("\"\" ''"), (Words{"", ""}));
}

TEST(SplitArgs, DoubleQuoteEscapes) {
  EXPECT_EQ(split("\"\\n\\r\\t\\b\\a\\\\\\\"\""), (Words{"\n\r\t\b\a\\\""}));
  EXPECT_EQ(split("\"\\x41\\x62\\xff\\x00\""), (Words{std::string("Ab\xff\0", 4)}));
  EXPECT_EQ(split("\"\\q\""), (Words{"q"}));      // unknown escape: the character itself
  EXPECT_EQ(split("\"\\xZZ\""), (Words{"xZZ"}));  // not hex: \x is just x
}

TEST(SplitArgs, SingleQuotesOnlyEscapeTheQuote) {
  EXPECT_EQ(split("'it\\'s'"), (Words{"it's"}));
  EXPECT_EQ(split("'a\\nb'"), (Words{"a\\nb"}));
  EXPECT_EQ(split("'\\x41'"), (Words{"\\x41"}));
}

TEST(SplitArgs, QuoteInsideAWordStartsQuoting) {
  EXPECT_EQ(split("foo\"bar baz\""), (Words{"foobar baz"}));
}

TEST(SplitArgs, UnbalancedQuotesFail) {
  EXPECT_FALSE(splits("\"abc"));
  EXPECT_FALSE(splits("'abc"));
  EXPECT_FALSE(splits("set \"a\\\""));  // the only quote is escaped
  EXPECT_FALSE(splits("\"abc\\"));
}

TEST(SplitArgs, ClosingQuoteMustBeFollowedBySpace) {
  EXPECT_FALSE(splits("\"abc\"def"));
  EXPECT_FALSE(splits("'abc'def"));
  EXPECT_EQ(split("\"abc\" def"), (Words{"abc", "def"}));
  EXPECT_EQ(split("\"abc\"\tdef"), (Words{"abc", "def"}));
}

TEST(SplitArgs, ClearsTheOutputFirst) {
  Words out = {"stale"};
  ASSERT_TRUE(split_args("fresh", &out));
  EXPECT_EQ(out, Words{"fresh"});
}

}  // namespace
}  // namespace cachet
