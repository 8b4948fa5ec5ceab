#include "store/list_object.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>

namespace cachet::store {
namespace {

std::deque<std::string> contents(const ListObject& l) {
  std::deque<std::string> out;
  if (l.size() > 0) {
    l.for_range(0, l.size() - 1, [&](std::string_view s) {
      out.emplace_back(s);
      return true;
    });
  }
  return out;
}

TEST(ListObjectTest, ConvertsUpAtTheLimitAndBackAtHalf) {
  ListObject l(4);
  for (const char* s : {"a", "b", "c", "d"}) l.push_back(s);
  EXPECT_TRUE(l.compact());
  l.push_front("z");
  EXPECT_FALSE(l.compact());
  EXPECT_EQ(l.pop_back(), "d");
  EXPECT_EQ(l.pop_back(), "c");
  EXPECT_FALSE(l.compact());
  EXPECT_EQ(l.pop_back(), "b");
  EXPECT_TRUE(l.compact());
  EXPECT_EQ(contents(l), (std::deque<std::string>{"z", "a"}));
}

TEST(ListObjectTest, ByteLimitsFollowTheNegativeLevels) {
  ListObject l(-1);  // 4 KB
  l.push_back(std::string(3000, 'x'));
  EXPECT_TRUE(l.compact());
  l.push_back(std::string(2000, 'y'));
  EXPECT_FALSE(l.compact());
}

TEST(ListObjectTest, RandomisedAgainstADeque) {
  std::mt19937 rng(11);
  ListObject l(6);
  std::deque<std::string> model;
  for (int step = 0; step < 4000; ++step) {
    std::string v(1 + rng() % 3, static_cast<char>('a' + rng() % 3));
    switch (rng() % 7) {
      case 0:
        l.push_front(v);
        model.push_front(v);
        break;
      case 1:
        l.push_back(v);
        model.push_back(v);
        break;
      case 2:
        if (!model.empty()) {
          EXPECT_EQ(l.pop_front(), model.front());
          model.pop_front();
        }
        break;
      case 3:
        if (!model.empty()) {
          EXPECT_EQ(l.pop_back(), model.back());
          model.pop_back();
        }
        break;
      case 4: {
        size_t removed = l.remove(v, 1);
        auto it = std::find(model.begin(), model.end(), v);
        EXPECT_EQ(removed, it == model.end() ? 0u : 1u);
        if (it != model.end()) model.erase(it);
        break;
      }
      case 5:
        if (!model.empty()) {
          size_t i = rng() % model.size();
          l.set(i, v);
          model[i] = v;
        }
        break;
      default:
        if (!model.empty()) {
          EXPECT_EQ(l.at(model.size() / 2), model[model.size() / 2]);
        }
    }
    ASSERT_EQ(l.size(), model.size());
  }
  EXPECT_EQ(contents(l), model);
}

TEST(ListObjectTest, InsertTrimAndRemoveFromTheTail) {
  ListObject l;
  for (const char* s : {"a", "b", "a", "c", "a"}) l.push_back(s);
  EXPECT_TRUE(l.insert("c", "C", /*after=*/false));
  EXPECT_FALSE(l.insert("zz", "x", true));
  EXPECT_EQ(l.remove("a", -2), 2u);
  EXPECT_EQ(contents(l), (std::deque<std::string>{"a", "b", "C", "c"}));
  l.trim(1, 2);
  EXPECT_EQ(contents(l), (std::deque<std::string>{"b", "C"}));
}

}  // namespace
}  // namespace cachet::store
