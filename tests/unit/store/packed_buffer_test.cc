#include "store/packed_buffer.h"

#include <gtest/gtest.h>

#include <string>

#include "store/packed_items.h"

namespace cachet::store {
namespace {

TEST(PackedBufferTest, ReplaceGrowsAndShrinksInPlace) {
  PackedBuffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.allocated(), 0u);
  b.append("hello");
  b.append(" world");
  EXPECT_EQ(b.view(), "hello world");
  b.insert(0, ">> ");
  EXPECT_EQ(b.view(), ">> hello world");
  b.replace(3, 5, "bye", "!");
  EXPECT_EQ(b.view(), ">> bye! world");
  b.erase(0, 3);
  EXPECT_EQ(b.view(), "bye! world");
  b.resize(4);
  EXPECT_EQ(b.view(), "bye!");
  b.erase(0, 4);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.allocated(), 0u);
}

TEST(PackedBufferTest, PartsMayComeFromTheBufferItself) {
  PackedBuffer b;
  b.append("abcdef");
  b.insert(0, b.view().substr(3));  // the source moves when the block is reallocated
  EXPECT_EQ(b.view(), "defabcdef");
  PackedBuffer copy = b;
  PackedBuffer moved = std::move(b);
  EXPECT_EQ(copy.view(), "defabcdef");
  EXPECT_EQ(moved.view(), "defabcdef");
}

TEST(PackedItemsTest, VarintLengthsRoundTrip) {
  PackedBuffer b;
  std::string big(300, 'x'), huge(70000, 'y');
  packed::append(b, "");
  packed::append(b, "short");
  packed::append(b, big);
  packed::append(b, huge);
  EXPECT_EQ(b.size(), packed::item_size(0) + packed::item_size(5) + packed::item_size(300) +
                          packed::item_size(70000));
  EXPECT_EQ(packed::item_size(5), 6u);
  EXPECT_EQ(packed::item_size(300), 302u);
  size_t pos = 0;
  EXPECT_EQ(packed::read(b, &pos), "");
  EXPECT_EQ(packed::read(b, &pos), "short");
  EXPECT_EQ(packed::read(b, &pos), big);
  EXPECT_EQ(packed::read(b, &pos), huge);
  EXPECT_EQ(pos, b.size());
}

}  // namespace
}  // namespace cachet::store
