#include "store/set_object.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace cachet::store {
namespace {

std::set<std::string> members(const SetObject& s) {
  std::set<std::string> out;
  s.for_each([&](std::string_view m) { out.emplace(m); });
  return out;
}

TEST(SetObjectTest, IntegersStayAnIntsetUntilTheLimit) {
  SetObject s;
  SetLimits limits{3, 128, 64};
  EXPECT_TRUE(s.add("3", limits));
  EXPECT_TRUE(s.add("-1", limits));
  EXPECT_FALSE(s.add("3", limits));
  EXPECT_TRUE(s.add("2", limits));
  EXPECT_EQ(s.form(), SetObject::Form::kIntset);
  EXPECT_TRUE(s.add("4", limits));
  EXPECT_EQ(s.form(), SetObject::Form::kTable);
  EXPECT_EQ(members(s), (std::set<std::string>{"-1", "2", "3", "4"}));
}

TEST(SetObjectTest, NonCanonicalIntegersAreStrings) {
  SetObject s;
  SetLimits limits;
  s.add("1", limits);
  s.add("01", limits);  // not the integer 1 to Valkey: a different member
  EXPECT_EQ(s.form(), SetObject::Form::kListpack);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(s.contains("01"));
  EXPECT_TRUE(s.contains("1"));
}

TEST(SetObjectTest, ListpackConvertsOnCountOrLength) {
  SetLimits limits{512, 2, 3};
  SetObject by_count;
  by_count.add("a", limits);
  by_count.add("b", limits);
  EXPECT_EQ(by_count.form(), SetObject::Form::kListpack);
  by_count.add("c", limits);
  EXPECT_EQ(by_count.form(), SetObject::Form::kTable);
  SetObject by_length;
  by_length.add("abcd", limits);
  EXPECT_EQ(by_length.form(), SetObject::Form::kTable);
}

TEST(SetObjectTest, RandomisedAgainstStdSet) {
  std::mt19937 rng(3);
  SetLimits limits{8, 8, 4};
  SetObject s;
  std::set<std::string> model;
  for (int step = 0; step < 5000; ++step) {
    std::string m = rng() % 2 ? std::to_string(rng() % 30) : std::string(rng() % 6, 'a');
    if (rng() % 3 == 0) {
      EXPECT_EQ(s.remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s.add(m, limits), model.insert(m).second);
    }
    ASSERT_EQ(s.size(), model.size());
  }
  EXPECT_EQ(members(s), model);
  if (!model.empty()) {
    EXPECT_TRUE(model.count(s.random_member(rng())));
  }
}

TEST(SetObjectTest, CloneIsDeep) {
  SetLimits limits{2, 2, 64};
  SetObject s;
  for (const char* m : {"1", "2", "x", "y", "z"}) s.add(m, limits);
  auto copy = s.clone();
  copy->remove("x");
  EXPECT_TRUE(s.contains("x"));
  EXPECT_EQ(copy->size(), 4u);
}

}  // namespace
}  // namespace cachet::store
