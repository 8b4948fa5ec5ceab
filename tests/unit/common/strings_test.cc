#include "common/strings.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace cachet {
namespace {

TEST(ParseInt64, AcceptsPlainIntegers) {
  int64_t v = -1;
  EXPECT_TRUE(parse_int64("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(parse_int64("123", &v));
  EXPECT_EQ(v, 123);
  EXPECT_TRUE(parse_int64("-7", &v));
  EXPECT_EQ(v, -7);
}

TEST(ParseInt64, AcceptsBothExtremes) {
  int64_t v = 0;
  EXPECT_TRUE(parse_int64("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(parse_int64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
}

TEST(ParseInt64, RejectsOverflow) {
  int64_t v = 0;
  EXPECT_FALSE(parse_int64("9223372036854775808", &v));
  EXPECT_FALSE(parse_int64("-9223372036854775809", &v));
  EXPECT_FALSE(parse_int64("18446744073709551616", &v));
  EXPECT_FALSE(parse_int64("99999999999999999999", &v));
  EXPECT_FALSE(parse_int64("123456789012345678901", &v));
}

TEST(ParseInt64, RejectsWhatRedisRejects) {
  int64_t v = 42;
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "-01", "00", "1a", "a1", "1.0",
                          "0x10", "1e3", "\t1"}) {
    EXPECT_FALSE(parse_int64(bad, &v)) << '"' << bad << '"';
  }
  EXPECT_EQ(v, 42);  // untouched on failure
}

TEST(ParseInt64, UsesOnlyTheViewNotTheBytesAfterIt) {
  std::string s = "12345";
  int64_t v = 0;
  EXPECT_TRUE(parse_int64(std::string_view(s).substr(0, 3), &v));
  EXPECT_EQ(v, 123);
}

TEST(ParseLongDouble, AcceptsNumbersRejectsSpacesAndNan) {
  long double v = 0;
  EXPECT_TRUE(parse_long_double("10.5", &v));
  EXPECT_EQ(v, 10.5L);
  EXPECT_TRUE(parse_long_double("-3e2", &v));
  EXPECT_EQ(v, -300.0L);
  for (const char* bad : {"", " 1", "1 ", "nan", "1x", "abc"}) {
    EXPECT_FALSE(parse_long_double(bad, &v)) << '"' << bad << '"';
  }
}

TEST(ParseDouble, AcceptsInfRejectsNanAndSpaces) {
  double v = 0;
  EXPECT_TRUE(parse_double("1.25", &v));
  EXPECT_EQ(v, 1.25);
  EXPECT_TRUE(parse_double("inf", &v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  EXPECT_TRUE(parse_double("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  for (const char* bad : {"", " 1", "1 ", "nan", "1..2"}) {
    EXPECT_FALSE(parse_double(bad, &v)) << '"' << bad << '"';
  }
}

TEST(FormatInt64, WritesDecimal) {
  char buf[24];
  EXPECT_EQ(std::string(buf, format_int64(0, buf)), "0");
  EXPECT_EQ(std::string(buf, format_int64(-15, buf)), "-15");
  EXPECT_EQ(std::string(buf, format_int64(INT64_MIN, buf)), "-9223372036854775808");
  EXPECT_EQ(int64_to_string(INT64_MAX), "9223372036854775807");
}

std::string human(long double v) {
  std::string out;
  EXPECT_TRUE(format_long_double(v, &out));
  return out;
}

TEST(FormatLongDouble, TrimsTrailingZerosAndThePoint) {
  EXPECT_EQ(human(10.5L), "10.5");
  EXPECT_EQ(human(3.0L), "3");
  EXPECT_EQ(human(5.0e3L), "5000");
  EXPECT_EQ(human(-1.5L), "-1.5");
  EXPECT_EQ(human(0.0L), "0");
}

TEST(FormatLongDouble, UsesNoExponent) {
  EXPECT_EQ(human(1e20L), "100000000000000000000");
  EXPECT_EQ(human(0.001L), "0.001");
}

TEST(FormatLongDouble, IncrByFloatExample) {
  EXPECT_EQ(human(10.5L + 0.1L), "10.6");  // the INCRBYFLOAT documentation's example
}

TEST(FormatLongDouble, NegativeZeroPrintsAsZero) {
  EXPECT_EQ(human(-0.0L), "0");
  EXPECT_EQ(human(-1e-30L), "0");
}

TEST(FormatLongDouble, RejectsNonFinite) {
  std::string out = "unchanged";
  EXPECT_FALSE(format_long_double(INFINITY, &out));
  EXPECT_FALSE(format_long_double(NAN, &out));
  EXPECT_EQ(out, "unchanged");
}

TEST(FormatDouble, ExactValuesAndInfinities) {
  EXPECT_EQ(format_double(1.5), "1.5");
  EXPECT_EQ(format_double(0.0), "0");
  EXPECT_EQ(format_double(-42.0), "-42");
  EXPECT_EQ(format_double(INFINITY), "inf");
  EXPECT_EQ(format_double(-INFINITY), "-inf");
  EXPECT_EQ(format_double(5000000000.0), "5000000000");  // integral: printed as an integer
  EXPECT_EQ(format_double(-0.0), "-0");
  EXPECT_EQ(format_double(1e300), "1e+300");
}

TEST(FormatDouble, RoundTrips) {
  for (double d : {0.1, 1.0 / 3.0, 123456.789, 1e-300, 5e300}) {
    double back = 0;
    ASSERT_TRUE(parse_double(format_double(d), &back));
    EXPECT_EQ(back, d);
  }
}

TEST(CaseHelpers, IequalsAndToLower) {
  EXPECT_TRUE(iequals("GeT", "get"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("get", "gets"));
  EXPECT_FALSE(iequals("get", "set"));
  EXPECT_EQ(to_lower("MiXeD-123"), "mixed-123");
}

}  // namespace
}  // namespace cachet
