#pragma once
// Incremental parser for client requests: RESP multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and
// inline commands ("GET k\r\n", what telnet and redis-cli pipes send).
//
// The parser never copies multibulk arguments: args() are views into the caller's buffer, valid
// until the caller consumes `consumed()` bytes. Partial input is remembered as offsets from the
// start of the pending request, so the caller may move (grow or compact) its buffer between
// calls as long as it keeps the unconsumed bytes in order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::resp {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  bool authenticated = true;  // unauthenticated clients get tighter limits, as in Valkey
};

enum class ParseStatus {
  kNeedMore,  // no complete request yet
  kRequest,   // args() holds a request; consume consumed() bytes once done with it
  kEmpty,     // an empty request (blank inline line, "*0"); consume consumed() bytes and go on
  kError,     // protocol error; error() holds Valkey's wording; the connection must close
};

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  ParseStatus parse(std::string_view input);

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }
  // For a large bulk still arriving: how many more bytes the parser knows it needs, so the
  // caller can read straight into a buffer of the right size. 0 when unknown.
  size_t bytes_still_needed(size_t have) const;

 private:
  ParseStatus parse_multibulk(std::string_view input);
  ParseStatus parse_inline(std::string_view input);
  ParseStatus fail(std::string message);
  void reset_request();

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;  // inline requests are unescaped, so they own bytes
  size_t consumed_ = 0;
  std::string error_;

  // State of a multibulk request that is only partly here.
  bool in_multibulk_ = false;
  int64_t expected_args_ = 0;
  size_t pos_ = 0;            // offset of the next unparsed byte from the request's start
  int64_t bulk_len_ = -1;     // length of the bulk being read, -1 when reading its header
  std::vector<std::pair<size_t, size_t>> arg_spans_;  // (offset, length) of parsed args
};

}  // namespace cachet::resp
