#include "store/hash_object.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace cachet::store {
namespace {

// Built by appending: GCC 12 -O3 misreports field(i) under -Wrestrict.
std::string field(int i) {
  std::string s("f");
  s.append(std::to_string(i));
  return s;
}

std::map<std::string, std::string> contents(const HashObject& h) {
  std::map<std::string, std::string> out;
  h.for_each([&](std::string_view f, std::string_view v) { out[std::string(f)] = v; });
  return out;
}

TEST(HashObjectTest, CompactSetGetEraseKeepsEveryPair) {
  HashObject h;
  CompactLimits limits{8, 16};
  EXPECT_TRUE(h.set("a", "1", limits));
  EXPECT_TRUE(h.set("b", "", limits));
  EXPECT_FALSE(h.set("a", "longer value", limits));
  EXPECT_TRUE(h.compact());
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("a"), "longer value");
  EXPECT_EQ(h.get("b"), "");
  EXPECT_FALSE(h.get("c").has_value());
  EXPECT_TRUE(h.erase("a"));
  EXPECT_FALSE(h.erase("a"));
  EXPECT_EQ(contents(h), (std::map<std::string, std::string>{{"b", ""}}));
}

TEST(HashObjectTest, ConvertsWhenEntriesExceedTheLimit) {
  HashObject h;
  CompactLimits limits{3, 64};
  for (int i = 0; i < 3; ++i) h.set(field(i), "v", limits);
  EXPECT_TRUE(h.compact());
  h.set("f3", "v", limits);
  EXPECT_FALSE(h.compact());
  EXPECT_EQ(h.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(h.get(field(i)), "v");
}

TEST(HashObjectTest, ConvertsWhenAFieldOrValueIsTooLong) {
  CompactLimits limits{128, 4};
  HashObject by_value;
  by_value.set("f", "1234", limits);
  EXPECT_TRUE(by_value.compact());
  by_value.set("f", "12345", limits);
  EXPECT_FALSE(by_value.compact());
  EXPECT_EQ(by_value.get("f"), "12345");
  HashObject by_field;
  by_field.set("long-field", "v", limits);
  EXPECT_FALSE(by_field.compact());
}

TEST(HashObjectTest, RandomisedAgainstAMap) {
  std::mt19937 rng(7);
  CompactLimits limits{16, 8};
  HashObject h;
  std::map<std::string, std::string> model;
  for (int step = 0; step < 5000; ++step) {
    std::string name = field(static_cast<int>(rng() % 40));
    if (rng() % 3 == 0) {
      EXPECT_EQ(h.erase(name), model.erase(name) == 1);
    } else {
      std::string value(rng() % 12, 'x');
      EXPECT_EQ(h.set(name, value, limits), model.count(name) == 0);
      model[name] = value;
    }
    ASSERT_EQ(h.size(), model.size());
  }
  EXPECT_EQ(contents(h), model);
}

TEST(HashObjectTest, CloneIsDeepInBothForms) {
  CompactLimits limits{2, 64};
  for (int n : {2, 10}) {
    HashObject h;
    for (int i = 0; i < n; ++i) h.set(field(i), "v", limits);
    auto copy = h.clone();
    copy->set("f0", "changed", limits);
    EXPECT_EQ(h.get("f0"), "v");
    EXPECT_EQ(copy->size(), h.size());
    EXPECT_EQ(copy->compact(), h.compact());
  }
}

TEST(HashObjectTest, ScanVisitsEveryFieldOfATable) {
  CompactLimits limits{1, 64};
  HashObject h;
  for (int i = 0; i < 500; ++i) h.set(field(i), std::to_string(i), limits);
  std::map<std::string, std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = h.scan(cursor, [&](std::string_view f, std::string_view v) {
      seen[std::string(f)] = v;
    });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_EQ(seen["f42"], "42");
}

}  // namespace
}  // namespace cachet::store
