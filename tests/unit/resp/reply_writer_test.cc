#include "resp/reply_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

namespace cachet::resp {
namespace {

// Runs `write` against a fresh writer speaking `protocol` and returns the bytes it produced.
std::string encode(int protocol, const std::function<void(ReplyWriter&)>& write) {
  Buffer out;
  ReplyWriter w(&out, protocol);
  write(w);
  return std::string(out.view());
}

std::string resp2(const std::function<void(ReplyWriter&)>& write) { return encode(2, write); }
std::string resp3(const std::function<void(ReplyWriter&)>& write) { return encode(3, write); }

TEST(ReplyWriter, SimpleStringsAndOk) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.simple("PONG"); }), "+PONG\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.ok(); }), "+OK\r\n");
}

TEST(ReplyWriter, IntegersAreTheSameInBothProtocols) {
  for (int proto : {2, 3}) {
    EXPECT_EQ(encode(proto, [](ReplyWriter& w) { w.integer(0); }), ":0\r\n");
    EXPECT_EQ(encode(proto, [](ReplyWriter& w) { w.integer(-42); }), ":-42\r\n");
    EXPECT_EQ(encode(proto, [](ReplyWriter& w) { w.integer(INT64_MIN); }),
              ":-9223372036854775808\r\n");
  }
}

TEST(ReplyWriter, BulkStrings) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.bulk("hello"); }), "$5\r\nhello\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.bulk(""); }), "$0\r\n\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.bulk(std::string_view("a\r\nb", 4)); }),
            "$4\r\na\r\nb\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.bulk_int(-17); }), "$3\r\n-17\r\n");
}

TEST(ReplyWriter, BigBulkString) {
  std::string big(100000, 'z');
  EXPECT_EQ(resp2([&](ReplyWriter& w) { w.bulk(big); }), "$100000\r\n" + big + "\r\n");
}

TEST(ReplyWriter, NullIsDollarMinusOneInResp2AndUnderscoreInResp3) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.null(); }), "$-1\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.null(); }), "_\r\n");
}

TEST(ReplyWriter, NullArrayIsStarMinusOneInResp2AndUnderscoreInResp3) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.null_array(); }), "*-1\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.null_array(); }), "_\r\n");
}

TEST(ReplyWriter, ArrayHeader) {
  for (int proto : {2, 3}) {
    EXPECT_EQ(encode(proto, [](ReplyWriter& w) { w.array(3); }), "*3\r\n");
    EXPECT_EQ(encode(proto, [](ReplyWriter& w) { w.array(0); }), "*0\r\n");
  }
}

TEST(ReplyWriter, MapIsFlatArrayOfTwiceTheSizeInResp2) {
  auto write = [](ReplyWriter& w) {
    w.map(2);
    w.bulk("a");
    w.integer(1);
    w.bulk("b");
    w.integer(2);
  };
  EXPECT_EQ(resp2(write), "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
  EXPECT_EQ(resp3(write), "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.map(0); }), "*0\r\n");
}

TEST(ReplyWriter, SetIsArrayInResp2AndTildeInResp3) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.set(3); }), "*3\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.set(3); }), "~3\r\n");
}

TEST(ReplyWriter, PushIsArrayInResp2AndGreaterThanInResp3) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.push(3); }), "*3\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.push(3); }), ">3\r\n");
}

TEST(ReplyWriter, DoubleIsBulkInResp2AndCommaInResp3) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(3.5); }), "$3\r\n3.5\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(3.5); }), ",3.5\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(1.0); }), ",1\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(-2.25); }), ",-2.25\r\n");
}

TEST(ReplyWriter, InfiniteDoubles) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.double_value(INFINITY); }), "$3\r\ninf\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.double_value(-INFINITY); }), ",-inf\r\n");
}

TEST(ReplyWriter, BooleanIsIntegerInResp2AndHashInResp3) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.boolean(true); }), ":1\r\n");
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.boolean(false); }), ":0\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.boolean(true); }), "#t\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.boolean(false); }), "#f\r\n");
}

TEST(ReplyWriter, VerbatimIsBulkInResp2AndEqualsInResp3) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.verbatim("hello"); }), "$5\r\nhello\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.verbatim("hello"); }), "=9\r\ntxt:hello\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.verbatim("# x", "mkd"); }), "=7\r\nmkd:# x\r\n");
}

TEST(ReplyWriter, ErrorKeepsItsCode) {
  for (int proto : {2, 3}) {
    EXPECT_EQ(encode(proto, [](ReplyWriter& w) { w.error("ERR unknown command"); }),
              "-ERR unknown command\r\n");
    EXPECT_EQ(encode(proto, [](ReplyWriter& w) { w.error("WRONGTYPE bad"); }),
              "-WRONGTYPE bad\r\n");
  }
}

TEST(ReplyWriter, ErrorNewlinesBecomeSpaces) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.error("ERR a\nb"); }), "-ERR a b\r\n");
  EXPECT_EQ(resp3([](ReplyWriter& w) { w.error("ERR a\r\nb\r"); }), "-ERR a  b \r\n");
}

TEST(ReplyWriter, RawBytesPassThrough) {
  EXPECT_EQ(resp2([](ReplyWriter& w) { w.raw("+X\r\n:1\r\n"); }), "+X\r\n:1\r\n");
}

TEST(ReplyWriter, SetProtocolSwitchesEncoding) {
  Buffer out;
  ReplyWriter w(&out, 2);
  EXPECT_EQ(w.protocol(), 2);
  w.null();
  w.set_protocol(3);
  EXPECT_EQ(w.protocol(), 3);
  w.null();
  EXPECT_EQ(out.view(), "$-1\r\n_\r\n");
  EXPECT_EQ(w.buffer(), &out);
}

TEST(ReplyWriter, NestedReplyAppendsInOrder) {
  auto write = [](ReplyWriter& w) {
    w.array(3);
    w.integer(1);
    w.set(1);
    w.bulk("m");
    w.null();
  };
  EXPECT_EQ(resp2(write), "*3\r\n:1\r\n*1\r\n$1\r\nm\r\n$-1\r\n");
  EXPECT_EQ(resp3(write), "*3\r\n:1\r\n~1\r\n$1\r\nm\r\n_\r\n");
}

}  // namespace
}  // namespace cachet::resp
