#include "store/value.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>

namespace cachet::store {
namespace {

std::string str(const Value& v) {
  char scratch[Value::kIntBufferSize];
  return std::string(v.str(scratch));
}

TEST(Value, DefaultIsTheIntegerZero) {
  Value v;
  EXPECT_EQ(v.type(), ValueType::kString);
  EXPECT_TRUE(v.is_int());
  EXPECT_EQ(str(v), "0");
}

TEST(Value, StringPicksIntEncodingForCanonicalIntegers) {
  for (const char* s : {"123", "0", "-5", "9223372036854775807", "-9223372036854775808"}) {
    Value v = Value::string(s);
    EXPECT_TRUE(v.is_int()) << s;
    EXPECT_EQ(v.encoding(), Encoding::kInt) << s;
    EXPECT_EQ(str(v), s);
  }
  EXPECT_EQ(Value::string("123").int_value(), 123);
}

TEST(Value, StringKeepsNonCanonicalNumbersAsBytes) {
  for (const char* s : {"0123", "12a", "+1", " 1", "1 ", "-0", "1.5", "9223372036854775808", ""}) {
    Value v = Value::string(s);
    EXPECT_FALSE(v.is_int()) << '"' << s << '"';
    EXPECT_EQ(v.encoding(), Encoding::kEmbstr) << '"' << s << '"';
    EXPECT_EQ(str(v), s);  // the bytes are kept exactly
  }
}

TEST(Value, EmbstrUpTo44BytesRawAbove) {
  Value at_limit = Value::string(std::string(44, 'x'));
  EXPECT_EQ(at_limit.encoding(), Encoding::kEmbstr);
  EXPECT_EQ(encoding_name(at_limit.encoding()), "embstr");
  EXPECT_EQ(str(at_limit), std::string(44, 'x'));

  Value above = Value::string(std::string(45, 'x'));
  EXPECT_EQ(above.encoding(), Encoding::kRaw);
  EXPECT_EQ(encoding_name(above.encoding()), "raw");
  EXPECT_EQ(str(above), std::string(45, 'x'));
}

TEST(Value, InlineAndHeapStorageKeepTheBytes) {
  // Around the inline capacity, and with bytes that are not text.
  for (size_t len : {size_t{0}, size_t{1}, Value::kInlineCapacity - 1, Value::kInlineCapacity,
                     Value::kInlineCapacity + 1, size_t{1000}}) {
    std::string s(len, '\0');
    for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>('a' + i % 26 + (i % 3 == 0 ? 100 : 0));
    Value v = Value::string(s);
    EXPECT_EQ(str(v), s) << len;
    EXPECT_EQ(v.string_length(), len);
  }
  EXPECT_EQ(Value::string("short").heap_bytes(), 0u);
  EXPECT_GE(Value::string(std::string(1000, 'y')).heap_bytes(), 1000u);
}

TEST(Value, RawStringIsReportedRawEvenWhenShort) {
  Value v = Value::raw_string("ab");
  EXPECT_EQ(v.encoding(), Encoding::kRaw);
  EXPECT_FALSE(v.is_int());
  EXPECT_EQ(str(v), "ab");
  EXPECT_FALSE(Value::raw_string("123").is_int());
}

TEST(Value, IntegerValue) {
  Value v = Value::integer(-42);
  EXPECT_TRUE(v.is_int());
  EXPECT_EQ(v.int_value(), -42);
  EXPECT_EQ(str(v), "-42");
  EXPECT_EQ(v.string_length(), 3u);
}

TEST(Value, ResizeRawAppendsToAnInlineString) {
  Value v = Value::string("hello");
  char* p = v.resize_raw(10);
  std::memcpy(p + 5, "world", 5);
  EXPECT_EQ(str(v), "helloworld");
  EXPECT_EQ(v.encoding(), Encoding::kRaw);
  EXPECT_FALSE(v.is_int());
}

TEST(Value, ResizeRawZeroFillsGrowth) {
  Value v = Value::string("abc");
  v.resize_raw(6);
  EXPECT_EQ(str(v), std::string("abc\0\0\0", 6));
  v.resize_raw(1000);  // past the first heap block's capacity
  std::string expected("abc");
  expected.resize(1000, '\0');
  EXPECT_EQ(str(v), expected);
}

TEST(Value, ResizeRawTurnsAnIntegerIntoItsDigits) {
  Value v = Value::integer(42);
  char* p = v.resize_raw(4);
  p[2] = '!';
  EXPECT_EQ(str(v), std::string("42!\0", 4));
  EXPECT_FALSE(v.is_int());
}

TEST(Value, ResizeRawNeverShrinks) {
  Value v = Value::string("hello world");
  v.resize_raw(3);
  EXPECT_EQ(str(v), "hello world");
  Value big = Value::string(std::string(100, 'b'));
  big.resize_raw(10);
  EXPECT_EQ(big.string_length(), 100u);
}

TEST(Value, RepeatedAppendsLikeAppendInALoop) {
  Value v = Value::string("");
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    char c = static_cast<char>('a' + i % 26);
    size_t len = v.string_length();
    char* p = v.resize_raw(len + 1);
    p[len] = c;
    expected.push_back(c);
  }
  EXPECT_EQ(str(v), expected);
}

TEST(Value, CloneIsIndependent) {
  for (const std::string& s : {std::string("123"), std::string("short"), std::string(30, 'e'),
                               std::string(200, 'r')}) {
    Value original = Value::string(s);
    Value copy = original.clone();
    EXPECT_EQ(str(copy), s);
    EXPECT_EQ(copy.encoding(), original.encoding());
    EXPECT_EQ(copy.is_int(), original.is_int());
    char* p = original.resize_raw(s.size() + 1);
    p[0] = '#';
    EXPECT_EQ(str(copy), s) << "clone shares storage with the original";
  }
}

TEST(Value, CloneOfRawKeepsRaw) {
  Value raw = Value::raw_string("x");
  EXPECT_EQ(raw.clone().encoding(), Encoding::kRaw);
}

TEST(Value, MoveLeavesZeroBehind) {
  Value a = Value::string(std::string(100, 'm'));
  Value b(std::move(a));
  EXPECT_EQ(str(b), std::string(100, 'm'));
  EXPECT_TRUE(a.is_int());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(str(a), "0");

  Value c = Value::string("other");
  c = std::move(b);
  EXPECT_EQ(str(c), std::string(100, 'm'));
  c = Value::integer(5);
  EXPECT_EQ(c.int_value(), 5);
}

TEST(Value, TypeAndEncodingNames) {
  EXPECT_EQ(type_name(ValueType::kString), "string");
  EXPECT_EQ(type_name(ValueType::kList), "list");
  EXPECT_EQ(type_name(ValueType::kSet), "set");
  EXPECT_EQ(type_name(ValueType::kZSet), "zset");
  EXPECT_EQ(type_name(ValueType::kHash), "hash");
  EXPECT_EQ(type_name(ValueType::kStream), "stream");
  EXPECT_EQ(encoding_name(Encoding::kInt), "int");
}

}  // namespace
}  // namespace cachet::store
