#include "store/skiplist.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cachet::store {
namespace {

using Model = std::map<std::pair<double, std::string>, int>;

// Checks order, back links, ranks and count_before against an ordered model.
void expect_matches(const SkipList& list, const Model& model) {
  ASSERT_EQ(list.size(), model.size());
  const SkipList::Node* n = list.first();
  const SkipList::Node* prev = nullptr;
  size_t rank = 1;
  for (const auto& [key, unused] : model) {
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->score, key.first);
    EXPECT_EQ(n->member(), key.second);
    EXPECT_EQ(n->prev(), prev);
    EXPECT_EQ(list.rank_of(key.first, key.second), rank);
    EXPECT_EQ(list.at_rank(rank), n);
    prev = n;
    n = n->next();
    ++rank;
  }
  EXPECT_EQ(n, nullptr);
  EXPECT_EQ(list.last(), prev);
}

TEST(SkipListTest, KeepsScoreThenMemberOrder) {
  SkipList list;
  Model model;
  for (auto [score, member] : std::vector<std::pair<double, std::string>>{
           {2, "b"}, {1, "z"}, {2, "a"}, {-5, "m"}, {2, "c"}}) {
    list.insert(score, member);
    model[{score, member}] = 0;
  }
  expect_matches(list, model);
  EXPECT_EQ(list.rank_of(2, "nope"), 0u);
  EXPECT_EQ(list.at_rank(0), nullptr);
  EXPECT_EQ(list.at_rank(6), nullptr);
}

TEST(SkipListTest, CountBeforeFindsRangeBounds) {
  SkipList list;
  for (int i = 0; i < 100; ++i) list.insert(i, std::string("m").append(std::to_string(i)));
  EXPECT_EQ(list.count_before([](double s, std::string_view) { return s < 10; }), 10u);
  EXPECT_EQ(list.count_before([](double s, std::string_view) { return s <= 10; }), 11u);
  EXPECT_EQ(list.count_before([](double, std::string_view) { return false; }), 0u);
  EXPECT_EQ(list.count_before([](double, std::string_view) { return true; }), 100u);
}

TEST(SkipListTest, RandomInsertEraseRescoreMatchesModel) {
  SkipList list;
  Model model;
  std::map<std::string, double> scores;
  std::mt19937 rng(7);
  for (int step = 0; step < 5000; ++step) {
    std::string member = std::string("m").append(std::to_string(rng() % 300));
    double score = static_cast<double>(rng() % 50);
    auto it = scores.find(member);
    switch (rng() % 3) {
      case 0:
        if (it == scores.end()) {
          list.insert(score, member);
          model[{score, member}] = 0;
          scores[member] = score;
        }
        break;
      case 1:
        if (it != scores.end()) {
          EXPECT_TRUE(list.erase(it->second, member));
          model.erase({it->second, member});
          scores.erase(it);
        } else {
          EXPECT_FALSE(list.erase(score, member));
        }
        break;
      case 2:
        if (it != scores.end()) {
          size_t rank = list.rank_of(it->second, member);
          SkipList::Node* node = list.at_rank(rank);
          SkipList::Node* moved = list.rescore(node, score);
          EXPECT_EQ(moved->member(), member);
          model.erase({it->second, member});
          model[{score, member}] = 0;
          it->second = score;
        }
        break;
    }
  }
  expect_matches(list, model);
}

}  // namespace
}  // namespace cachet::store
