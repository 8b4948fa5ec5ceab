#include "store/zset_object.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cachet::store {
namespace {

using Pairs = std::vector<std::pair<std::string, double>>;

Pairs contents(const ZSetObject& z, bool descending = false) {
  Pairs out;
  z.visit(0, z.size(), descending,
          [&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
  return out;
}

TEST(ZSetObjectTest, CompactUntilTooManyMembers) {
  ZSetLimits limits{3, 64};
  ZSetObject z(1, 1, limits);
  EXPECT_TRUE(z.compact());
  EXPECT_TRUE(z.set("b", 2, limits));
  EXPECT_TRUE(z.set("a", 2, limits));
  EXPECT_TRUE(z.set("c", 1, limits));
  EXPECT_FALSE(z.set("c", 3, limits));  // an update, not a new member
  EXPECT_TRUE(z.compact());
  EXPECT_EQ(contents(z), (Pairs{{"a", 2}, {"b", 2}, {"c", 3}}));
  EXPECT_TRUE(z.set("d", 0, limits));
  EXPECT_FALSE(z.compact());
  EXPECT_EQ(contents(z), (Pairs{{"d", 0}, {"a", 2}, {"b", 2}, {"c", 3}}));
  EXPECT_EQ(contents(z, true), (Pairs{{"c", 3}, {"b", 2}, {"a", 2}, {"d", 0}}));
}

TEST(ZSetObjectTest, LongMemberLeavesCompactForm) {
  ZSetLimits limits{128, 4};
  ZSetObject z(1, 1, limits);
  z.set("abcd", 1, limits);
  EXPECT_TRUE(z.compact());
  z.set("abcde", 1, limits);
  EXPECT_FALSE(z.compact());
  EXPECT_EQ(*z.score("abcd"), 1);
}

TEST(ZSetObjectTest, ConstructorPicksFormFromHints) {
  ZSetLimits limits{2, 8};
  EXPECT_TRUE(ZSetObject(2, 8, limits).compact());
  EXPECT_FALSE(ZSetObject(3, 8, limits).compact());
  EXPECT_FALSE(ZSetObject(1, 9, limits).compact());
  EXPECT_FALSE(ZSetObject(0, 0, ZSetLimits{0, 64}).compact());
}

// Both forms answer every query the same way as an ordered model.
void check_against_model(size_t max_entries) {
  ZSetLimits limits{max_entries, 64};
  ZSetObject z(0, 0, limits);
  std::map<std::string, double> model;
  std::mt19937 rng(11);
  for (int step = 0; step < 3000; ++step) {
    std::string m = std::string("m").append(std::to_string(rng() % 60));
    if (rng() % 4 == 0) {
      EXPECT_EQ(z.remove(m), model.erase(m) == 1);
    } else {
      double s = static_cast<double>(rng() % 20);
      EXPECT_EQ(z.set(m, s, limits), model.count(m) == 0);
      model[m] = s;
    }
  }
  Pairs expected;
  for (const auto& [m, s] : model) expected.emplace_back(m, s);
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  ASSERT_EQ(contents(z), expected);
  for (size_t r = 0; r < expected.size(); ++r) {
    EXPECT_EQ(z.rank(expected[r].first), r);
    EXPECT_EQ(*z.score(expected[r].first), expected[r].second);
  }
  EXPECT_FALSE(z.rank("absent").has_value());
  size_t below_ten = 0;
  for (const auto& p : expected) below_ten += p.second < 10 ? 1 : 0;
  EXPECT_EQ(z.count_before([](double s, std::string_view) { return s < 10; }), below_ten);
  // Remove the middle third by rank.
  size_t from = expected.size() / 3, to = 2 * expected.size() / 3;
  z.remove_ranks(from, to);
  expected.erase(expected.begin() + static_cast<long>(from), expected.begin() + static_cast<long>(to));
  EXPECT_EQ(contents(z), expected);
  auto copy = z.clone();
  EXPECT_EQ(contents(*copy), expected);
  EXPECT_EQ(copy->compact(), z.compact());
}

TEST(ZSetObjectTest, CompactFormMatchesModel) { check_against_model(SIZE_MAX); }
TEST(ZSetObjectTest, SkiplistFormMatchesModel) { check_against_model(0); }

TEST(ZSetObjectTest, ScanVisitsEveryMemberOfALargeSet) {
  ZSetLimits limits{0, 64};
  ZSetObject z(0, 0, limits);
  for (int i = 0; i < 1000; ++i) z.set(std::string("m").append(std::to_string(i)), i, limits);
  std::map<std::string, double> seen;
  uint64_t cursor = 0;
  do {
    cursor = z.scan(cursor, [&](std::string_view m, double s) { seen[std::string(m)] = s; });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(seen["m42"], 42);
}

}  // namespace
}  // namespace cachet::store
