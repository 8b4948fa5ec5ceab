#include "common/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace cachet {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool nocase;
  bool match;
};

void check(const std::vector<GlobCase>& cases) {
  for (const GlobCase& c : cases) {
    EXPECT_EQ(glob_match(c.pattern, c.text, c.nocase), c.match)
        << "pattern '" << c.pattern << "' text '" << c.text << "' nocase " << c.nocase;
  }
}

TEST(Glob, LiteralPatterns) {
  check({{"", "", false, true},
         {"", "a", false, false},
         {"abc", "abc", false, true},
         {"abc", "abcd", false, false},
         {"abc", "ab", false, false},
         {"abc", "ABC", false, false}});
}

TEST(Glob, Star) {
  check({{"*", "", false, true},
         {"*", "anything", false, true},
         {"**", "x", false, true},
         {"abc*", "abcd", false, true},
         {"*abc", "xxabc", false, true},
         {"*abc", "abcx", false, false},
         {"h*llo", "hllo", false, true},
         {"h*llo", "heeeello", false, true},
         {"user:*:name", "user:1000:name", false, true},
         {"user:*:name", "user:1000:age", false, false},
         {"a*b*c", "aXXbYYc", false, true},
         {"a*b*c", "aXXcYYb", false, false}});
}

TEST(Glob, StarBacktrackingStaysFast) {
  std::string text(10000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a*a", text));
}

TEST(Glob, QuestionMark) {
  check({{"h?llo", "hello", false, true},
         {"h?llo", "hallo", false, true},
         {"h?llo", "hllo", false, false},
         {"?", "", false, false},
         {"??", "ab", false, true}});
}

TEST(Glob, CharacterClasses) {
  check({{"h[ae]llo", "hello", false, true},
         {"h[ae]llo", "hallo", false, true},
         {"h[ae]llo", "hillo", false, false},
         {"[a-c]", "a", false, true},
         {"[a-c]", "b", false, true},
         {"[a-c]", "c", false, true},
         {"[a-c]", "d", false, false},
         {"[a-c]", "B", false, false},
         {"[c-a]", "b", false, true},  // reversed ranges are swapped, as in Redis
         {"[a-cx]", "x", false, true},
         {"[0-9][0-9]", "42", false, true},
         {"[abc", "a", false, true}});  // an unclosed class ends at the pattern's end
}

TEST(Glob, NegatedClasses) {
  check({{"h[^e]llo", "hallo", false, true},
         {"h[^e]llo", "hello", false, false},
         {"[^a-c]", "d", false, true},
         {"[^a-c]", "b", false, false}});
}

TEST(Glob, Escapes) {
  check({{"h\\*llo", "h*llo", false, true},
         {"h\\*llo", "hello", false, false},
         {"\\?", "?", false, true},
         {"\\?", "a", false, false},
         {"\\[a\\]", "[a]", false, true},
         {"[\\]]", "]", false, true},
         {"[\\-]", "-", false, true},
         {"a\\", "a\\", false, true}});  // a trailing backslash is literal
}

TEST(Glob, NoCase) {
  check({{"HELLO", "hello", true, true},
         {"hello", "HeLLo", true, true},
         {"h*O", "hellO", true, true},
         {"[A-C]x", "bX", true, true},
         {"[a-c]", "B", true, true},
         {"[^a-c]", "B", true, false},
         {"[ABC]", "b", true, true},
         {"hello", "HELLO", false, false}});
}

}  // namespace
}  // namespace cachet
