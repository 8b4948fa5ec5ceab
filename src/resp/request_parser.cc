#include "resp/request_parser.h"

#include <cstring>

#include "common/strings.h"
#include "common/split_args.h"

namespace cachet::resp {
namespace {

// Valkey's limits for the parts of a request that are read before any length is known.
constexpr size_t kMaxInlineSize = 64 * 1024;
constexpr int64_t kMaxMultibulkLen = 1024LL * 1024 * 1024;
constexpr int64_t kMaxUnauthMultibulkLen = 10;
constexpr int64_t kMaxUnauthBulkLen = 16384;

// Finds a "\r" followed by at least one byte (the "\n") from `from`; npos when not here yet.
size_t find_line_end(std::string_view input, size_t from) {
  if (from >= input.size()) return std::string_view::npos;
  const void* p = std::memchr(input.data() + from, '\r', input.size() - from);
  if (p == nullptr) return std::string_view::npos;
  size_t at = static_cast<const char*>(p) - input.data();
  return at + 1 < input.size() ? at : std::string_view::npos;
}

}  // namespace

void RequestParser::reset_request() {
  in_multibulk_ = false;
  expected_args_ = 0;
  pos_ = 0;
  bulk_len_ = -1;
  arg_spans_.clear();
}

ParseStatus RequestParser::fail(std::string message) {
  error_ = std::move(message);
  reset_request();
  return ParseStatus::kError;
}

ParseStatus RequestParser::parse(std::string_view input) {
  args_.clear();
  consumed_ = 0;
  if (input.empty()) return ParseStatus::kNeedMore;
  if (in_multibulk_ || input[0] == '*') return parse_multibulk(input);
  return parse_inline(input);
}

ParseStatus RequestParser::parse_inline(std::string_view input) {
  const void* nl = std::memchr(input.data(), '\n', input.size());
  if (nl == nullptr) {
    if (input.size() > kMaxInlineSize) return fail("Protocol error: too big inline request");
    return ParseStatus::kNeedMore;
  }
  size_t line_end = static_cast<const char*>(nl) - input.data();
  std::string_view line = input.substr(0, line_end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!split_args(line, &inline_args_)) {
    return fail("Protocol error: unbalanced quotes in request");
  }
  consumed_ = line_end + 1;
  if (inline_args_.empty()) return ParseStatus::kEmpty;
  for (const std::string& a : inline_args_) args_.emplace_back(a);
  return ParseStatus::kRequest;
}

ParseStatus RequestParser::parse_multibulk(std::string_view input) {
  if (!in_multibulk_) {
    size_t cr = find_line_end(input, 0);
    if (cr == std::string_view::npos) {
      if (input.size() > kMaxInlineSize) return fail("Protocol error: too big mbulk count string");
      return ParseStatus::kNeedMore;
    }
    int64_t count;
    if (!parse_int64(input.substr(1, cr - 1), &count) || count > kMaxMultibulkLen) {
      return fail("Protocol error: invalid multibulk length");
    }
    if (!limits_.authenticated && count > kMaxUnauthMultibulkLen) {
      return fail("Protocol error: unauthenticated multibulk length");
    }
    if (count <= 0) {
      consumed_ = cr + 2;
      return ParseStatus::kEmpty;
    }
    in_multibulk_ = true;
    expected_args_ = count;
    pos_ = cr + 2;
    bulk_len_ = -1;
    arg_spans_.clear();
    // Reserving for a huge count would let a client make us allocate with one line.
    arg_spans_.reserve(static_cast<size_t>(std::min<int64_t>(count, 1024)));
  }

  while (static_cast<int64_t>(arg_spans_.size()) < expected_args_) {
    if (bulk_len_ < 0) {
      size_t cr = find_line_end(input, pos_);
      if (cr == std::string_view::npos) {
        if (input.size() - std::min(pos_, input.size()) > kMaxInlineSize) {
          return fail("Protocol error: too big bulk count string");
        }
        return ParseStatus::kNeedMore;
      }
      if (input[pos_] != '$') {
        return fail(std::string("Protocol error: expected '$', got '") + input[pos_] + "'");
      }
      int64_t len;
      if (!parse_int64(input.substr(pos_ + 1, cr - pos_ - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return fail("Protocol error: invalid bulk length");
      }
      if (!limits_.authenticated && len > kMaxUnauthBulkLen) {
        return fail("Protocol error: unauthenticated bulk length");
      }
      bulk_len_ = len;
      pos_ = cr + 2;
    }
    size_t need = static_cast<size_t>(bulk_len_) + 2;
    if (input.size() < pos_ || input.size() - pos_ < need) return ParseStatus::kNeedMore;
    arg_spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += need;
    bulk_len_ = -1;
  }

  for (const auto& [offset, len] : arg_spans_) args_.emplace_back(input.data() + offset, len);
  consumed_ = pos_;
  reset_request();
  return ParseStatus::kRequest;
}

size_t RequestParser::bytes_still_needed(size_t have) const {
  if (!in_multibulk_ || bulk_len_ < 0) return 0;
  size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
  return need > have ? need - have : 0;
}

}  // namespace cachet::resp
