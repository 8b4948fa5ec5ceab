#include "resp/request_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace cachet::resp {
namespace {

using Args = std::vector<std::string>;

std::string multibulk(const Args& args) {
  std::string out;
  out.append("*").append(std::to_string(args.size())).append("\r\n");
  for (const std::string& a : args) {
    out.append("$").append(std::to_string(a.size())).append("\r\n");
    out.append(a).append("\r\n");
  }
  return out;
}

Args copy_args(const RequestParser& p) { return Args(p.args().begin(), p.args().end()); }

// Plays the connection's part: keeps the unconsumed bytes, appends what arrives and hands the
// parser everything still pending on every call.
struct Feeder {
  explicit Feeder(ParserLimits limits = {}) : parser(limits) {}

  void feed(std::string_view chunk) {
    pending.append(chunk);
    while (!failed) {
      ParseStatus st = parser.parse(pending);
      if (st == ParseStatus::kNeedMore) return;
      if (st == ParseStatus::kError) {
        failed = true;
        error = parser.error();
        return;
      }
      if (st == ParseStatus::kRequest) {
        requests.push_back(copy_args(parser));
      } else {
        ++empties;
      }
      pending.erase(0, parser.consumed());
    }
  }

  RequestParser parser;
  std::string pending;
  std::vector<Args> requests;
  int empties = 0;
  bool failed = false;
  std::string error;
};

std::string parse_error(std::string_view input, ParserLimits limits = {}) {
  RequestParser p(limits);
  if (p.parse(input) != ParseStatus::kError) return "<no error>";
  return p.error();
}

// Requests used by the whole / split / byte-by-byte tests, with the args each must yield.
struct Case {
  std::string wire;
  Args args;
};

std::vector<Case> valid_cases() {
  return {
      {multibulk({"GET", "key"}), {"GET", "key"}},
      {multibulk({"SET", "k", ""}), {"SET", "k", ""}},
      {multibulk({"SET", "bin\r\nary", std::string("\0\x01\xff", 3)}),
       {"SET", "bin\r\nary", std::string("\0\x01\xff", 3)}},
      {"PING\r\n", {"PING"}},
      {"SET  k   v\n", {"SET", "k", "v"}},
      {"SET \"a b\" 'c d'\r\n", {"SET", "a b", "c d"}},
      {"ECHO \"\\x41\\x42\\n\"\r\n", {"ECHO", "AB\n"}},
  };
}

TEST(RequestParser, ParsesWholeRequests) {
  for (const Case& c : valid_cases()) {
    SCOPED_TRACE(c.wire);
    RequestParser p;
    ASSERT_EQ(p.parse(c.wire), ParseStatus::kRequest);
    EXPECT_EQ(copy_args(p), c.args);
    EXPECT_EQ(p.consumed(), c.wire.size());
  }
}

TEST(RequestParser, MultibulkArgsAreViewsIntoTheInput) {
  std::string wire = multibulk({"GET", "key"});
  RequestParser p;
  ASSERT_EQ(p.parse(wire), ParseStatus::kRequest);
  for (std::string_view a : p.args()) {
    EXPECT_GE(a.data(), wire.data());
    EXPECT_LE(a.data() + a.size(), wire.data() + wire.size());
  }
}

TEST(RequestParser, SplitAtEveryByteBoundary) {
  for (const Case& c : valid_cases()) {
    for (size_t cut = 1; cut < c.wire.size(); ++cut) {
      SCOPED_TRACE(c.wire + " cut at " + std::to_string(cut));
      RequestParser p;
      ASSERT_EQ(p.parse(std::string_view(c.wire).substr(0, cut)), ParseStatus::kNeedMore);
      ASSERT_EQ(p.parse(c.wire), ParseStatus::kRequest);
      EXPECT_EQ(copy_args(p), c.args);
      EXPECT_EQ(p.consumed(), c.wire.size());
    }
  }
}

TEST(RequestParser, ByteByByte) {
  for (const Case& c : valid_cases()) {
    SCOPED_TRACE(c.wire);
    Feeder f;
    for (char ch : c.wire) f.feed(std::string_view(&ch, 1));
    ASSERT_FALSE(f.failed) << f.error;
    ASSERT_EQ(f.requests.size(), 1u);
    EXPECT_EQ(f.requests[0], c.args);
    EXPECT_TRUE(f.pending.empty());
  }
}

TEST(RequestParser, PartialStateSurvivesTheBufferMoving) {
  std::string wire = multibulk({"SET", "key", "value"});
  RequestParser p;
  std::string first = wire.substr(0, wire.size() - 4);
  ASSERT_EQ(p.parse(first), ParseStatus::kNeedMore);
  std::string moved = wire;  // different storage, same bytes
  first.assign(first.size(), '#');  // the old storage must no longer matter
  ASSERT_EQ(p.parse(moved), ParseStatus::kRequest);
  EXPECT_EQ(copy_args(p), (Args{"SET", "key", "value"}));
}

TEST(RequestParser, PipelinedRequestsInOneBuffer) {
  std::string wire = multibulk({"PING"}) + "ECHO hi\r\n" + multibulk({"GET", "k"}) + "*0\r\n" +
                     "\r\n" + multibulk({"DEL", "a", "b"});
  RequestParser p;
  std::string_view rest = wire;
  std::vector<Args> got;
  int empties = 0;
  while (!rest.empty()) {
    ParseStatus st = p.parse(rest);
    ASSERT_TRUE(st == ParseStatus::kRequest || st == ParseStatus::kEmpty);
    if (st == ParseStatus::kRequest) got.push_back(copy_args(p));
    if (st == ParseStatus::kEmpty) ++empties;
    rest.remove_prefix(p.consumed());
  }
  EXPECT_EQ(got, (std::vector<Args>{{"PING"}, {"ECHO", "hi"}, {"GET", "k"}, {"DEL", "a", "b"}}));
  EXPECT_EQ(empties, 2);
}

TEST(RequestParser, BigBulkArgument) {
  std::string big(3 * 1024 * 1024, '\0');
  std::mt19937 rng(7);
  for (char& c : big) c = static_cast<char>(rng());
  std::string wire = multibulk({"SET", "k", big});
  Feeder f;
  for (size_t off = 0; off < wire.size(); off += 65536) f.feed(wire.substr(off, 65536));
  ASSERT_FALSE(f.failed) << f.error;
  ASSERT_EQ(f.requests.size(), 1u);
  EXPECT_EQ(f.requests[0][2], big);
}

TEST(RequestParser, BytesStillNeededForALargeBulk) {
  std::string wire = "*1\r\n$10\r\nabc";  // header is 9 bytes, bulk needs 10 + CRLF
  RequestParser p;
  ASSERT_EQ(p.parse(wire), ParseStatus::kNeedMore);
  EXPECT_EQ(p.bytes_still_needed(wire.size()), 9u);
  EXPECT_EQ(RequestParser().bytes_still_needed(0), 0u);
}

TEST(RequestParser, EmptyRequests) {
  for (std::string wire : {"*0\r\n", "*-1\r\n", "\r\n", "\n", "   \r\n"}) {
    SCOPED_TRACE(wire);
    RequestParser p;
    EXPECT_EQ(p.parse(wire), ParseStatus::kEmpty);
    EXPECT_EQ(p.consumed(), wire.size());
  }
}

TEST(RequestParser, NothingToParseNeedsMore) {
  RequestParser p;
  EXPECT_EQ(p.parse(""), ParseStatus::kNeedMore);
  EXPECT_EQ(p.parse("*"), ParseStatus::kNeedMore);
  EXPECT_EQ(p.parse("*1\r"), ParseStatus::kNeedMore);  // the \n has not arrived yet
}

TEST(RequestParser, InlineQuotingAndEscapes) {
  RequestParser p;
  ASSERT_EQ(p.parse("SET \"a b\" 'c d' \"\\x41\\x7a\" 'it\\'s' \"q\\\"t\"\r\n"),
            ParseStatus::kRequest);
  EXPECT_EQ(copy_args(p), (Args{"SET", "a b", "c d", "Az", "it's", "q\"t"}));
}

TEST(RequestParser, InvalidMultibulkLength) {
  EXPECT_EQ(parse_error("*abc\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(parse_error("*\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(parse_error("*+1\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(parse_error("*2000000000\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(parse_error("*3000000000\r\n"), "Protocol error: invalid multibulk length");
}

TEST(RequestParser, ExpectedDollar) {
  EXPECT_EQ(parse_error("*1\r\nx3\r\n"), "Protocol error: expected '$', got 'x'");
  EXPECT_EQ(parse_error("*2\r\n$1\r\na\r\n:1\r\n"), "Protocol error: expected '$', got ':'");
}

TEST(RequestParser, InvalidBulkLength) {
  EXPECT_EQ(parse_error("*1\r\n$-5\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(parse_error("*1\r\n$x\r\n"), "Protocol error: invalid bulk length");
  ParserLimits limits;
  limits.max_bulk_len = 100;
  EXPECT_EQ(parse_error("*1\r\n$101\r\n", limits), "Protocol error: invalid bulk length");
  RequestParser p(limits);
  EXPECT_EQ(p.parse("*1\r\n$100\r\n"), ParseStatus::kNeedMore);  // at the limit is fine
}

TEST(RequestParser, TooBigInlineRequest) {
  std::string line(64 * 1024, 'a');
  RequestParser p;
  EXPECT_EQ(p.parse(line), ParseStatus::kNeedMore);
  line.push_back('a');
  EXPECT_EQ(parse_error(line), "Protocol error: too big inline request");
}

TEST(RequestParser, UnbalancedQuotes) {
  EXPECT_EQ(parse_error("SET \"a b\r\n"), "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(parse_error("SET 'a\r\n"), "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(parse_error("SET \"a\"b\r\n"), "Protocol error: unbalanced quotes in request");
}

TEST(RequestParser, UnauthenticatedLimits) {
  ParserLimits unauth;
  unauth.authenticated = false;
  EXPECT_EQ(parse_error("*11\r\n", unauth), "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(parse_error("*1\r\n$16385\r\n", unauth),
            "Protocol error: unauthenticated bulk length");
  RequestParser p(unauth);
  EXPECT_EQ(p.parse("*10\r\n$16384\r\n"), ParseStatus::kNeedMore);
  // The same requests are fine once authenticated.
  RequestParser authed;
  EXPECT_EQ(authed.parse("*11\r\n$16385\r\n"), ParseStatus::kNeedMore);
}

TEST(RequestParser, SetLimitsAppliesToLaterRequests) {
  ParserLimits unauth;
  unauth.authenticated = false;
  RequestParser p(unauth);
  EXPECT_EQ(p.parse("*11\r\n"), ParseStatus::kError);
  p.set_limits(ParserLimits{});
  EXPECT_EQ(p.parse("*11\r\n"), ParseStatus::kNeedMore);
}

// Random valid traffic: multibulk requests with binary args, inline requests with quoted and
// escaped args, and empty requests, cut at random points.
std::string random_arg(std::mt19937& rng, size_t max_len) {
  size_t len = rng() % 8 == 0 ? rng() % max_len : rng() % 40;
  std::string s(len, '\0');
  for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? "\r\n\"' \\"[rng() % 6] : rng());
  return s;
}

std::string inline_encode(const Args& args) {
  static const char kHex[] = "0123456789abcdef";
  std::string line;
  for (const std::string& a : args) {
    if (!line.empty()) line.push_back(' ');
    line.push_back('"');
    for (unsigned char c : a) {
      if (c == '"' || c == '\\') {
        line.push_back('\\');
        line.push_back(static_cast<char>(c));
      } else if (c < 0x20 || c >= 0x7f) {
        line += "\\x";
        line.push_back(kHex[c >> 4]);
        line.push_back(kHex[c & 15]);
      } else {
        line.push_back(static_cast<char>(c));
      }
    }
    line.push_back('"');
  }
  return line + (args.size() % 2 ? "\r\n" : "\n");
}

TEST(RequestParser, RandomizedPipelinesWithRandomSplits) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    std::vector<Args> expected;
    int expected_empties = 0;
    std::string stream;
    for (int i = 0; i < 200; ++i) {
      unsigned kind = rng() % 10;
      if (kind == 0) {
        stream += rng() % 2 ? "*0\r\n" : "\r\n";
        ++expected_empties;
        continue;
      }
      bool as_inline = kind <= 3;  // inline lines must stay well under the 64KB limit
      Args args(1 + rng() % 6);
      for (std::string& a : args) a = random_arg(rng, as_inline ? 500 : 5000);
      stream += as_inline ? inline_encode(args) : multibulk(args);
      expected.push_back(std::move(args));
    }
    Feeder f;
    for (size_t off = 0; off < stream.size();) {
      size_t n = rng() % 3 == 0 ? 1 + rng() % 8 : 1 + rng() % 3000;
      f.feed(std::string_view(stream).substr(off, n));
      off += n;
    }
    ASSERT_FALSE(f.failed) << f.error;
    EXPECT_TRUE(f.pending.empty());
    EXPECT_EQ(f.empties, expected_empties);
    ASSERT_EQ(f.requests.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(f.requests[i], expected[i]) << i;
  }
}

}  // namespace
}  // namespace cachet::resp
