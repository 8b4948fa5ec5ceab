#include "resp/reply_writer.h"

#include <cmath>

#include "common/strings.h"

namespace cachet::resp {

void ReplyWriter::header(char prefix, int64_t n) {
  char* p = out_->reserve(24);
  p[0] = prefix;
  size_t len = 1 + format_int64(n, p + 1);
  p[len++] = '\r';
  p[len++] = '\n';
  out_->commit(len);
}

void ReplyWriter::simple(std::string_view s) {
  char* p = out_->reserve(s.size() + 3);
  p[0] = '+';
  std::memcpy(p + 1, s.data(), s.size());
  p[s.size() + 1] = '\r';
  p[s.size() + 2] = '\n';
  out_->commit(s.size() + 3);
}

void ReplyWriter::error(std::string_view message) {
  char* p = out_->reserve(message.size() + 3);
  p[0] = '-';
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    p[i + 1] = (c == '\r' || c == '\n') ? ' ' : c;
  }
  p[message.size() + 1] = '\r';
  p[message.size() + 2] = '\n';
  out_->commit(message.size() + 3);
}

void ReplyWriter::integer(int64_t v) { header(':', v); }

void ReplyWriter::bulk(std::string_view s) {
  char* p = out_->reserve(s.size() + 26);
  p[0] = '$';
  size_t len = 1 + format_int64(static_cast<int64_t>(s.size()), p + 1);
  p[len++] = '\r';
  p[len++] = '\n';
  // An empty view may carry a null pointer, which memcpy must not be given even for 0 bytes.
  if (!s.empty()) std::memcpy(p + len, s.data(), s.size());
  len += s.size();
  p[len++] = '\r';
  p[len++] = '\n';
  out_->commit(len);
}

void ReplyWriter::bulk_int(int64_t v) {
  char buf[24];
  bulk(std::string_view(buf, format_int64(v, buf)));
}

void ReplyWriter::null() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyWriter::null_array() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyWriter::array(int64_t n) { header('*', n); }
void ReplyWriter::map(int64_t n) { protocol_ >= 3 ? header('%', n) : header('*', n * 2); }
void ReplyWriter::set(int64_t n) { header(protocol_ >= 3 ? '~' : '*', n); }
void ReplyWriter::push(int64_t n) { header(protocol_ >= 3 ? '>' : '*', n); }

void ReplyWriter::double_value(double v) {
  std::string text = format_double(v);
  if (protocol_ >= 3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    bulk(text);
  }
}

void ReplyWriter::boolean(bool v) {
  if (protocol_ >= 3) {
    out_->append(v ? "#t\r\n" : "#f\r\n", 4);
  } else {
    integer(v ? 1 : 0);
  }
}

void ReplyWriter::big_number(std::string_view digits) {
  if (protocol_ < 3) return bulk(digits);
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n", 2);
}

void ReplyWriter::verbatim(std::string_view s, std::string_view format) {
  if (protocol_ < 3) {
    bulk(s);
    return;
  }
  header('=', static_cast<int64_t>(s.size() + 4));
  out_->append(format.substr(0, 3));
  out_->push_back(':');
  out_->append(s);
  out_->append("\r\n", 2);
}

}  // namespace cachet::resp
