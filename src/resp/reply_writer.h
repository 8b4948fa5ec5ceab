#pragma once
// Writes replies in RESP2 or RESP3 into a Buffer. Commands describe replies in RESP3 terms
// (maps, sets, nulls, doubles, booleans, pushes); the writer lowers them to RESP2 the way
// Valkey does (map -> flat array, null -> $-1, double -> bulk string, boolean -> integer).
#include <cstdint>
#include <string_view>

#include "common/buffer.h"

namespace cachet::resp {

class ReplyWriter {
 public:
  ReplyWriter(Buffer* out, int protocol) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void set_protocol(int protocol) { protocol_ = protocol; }
  Buffer* buffer() { return out_; }

  void simple(std::string_view s);            // +OK
  void ok() { out_->append("+OK\r\n", 5); }
  // `message` must carry its code ("ERR ...", "WRONGTYPE ..."); newlines are replaced by
  // spaces so one error is always one line.
  void error(std::string_view message);
  void integer(int64_t v);
  void bulk(std::string_view s);
  void bulk_int(int64_t v);                   // an integer sent as a bulk string
  void null();                                // $-1 or _
  void null_array();                          // *-1 or _
  void array(int64_t n);
  void map(int64_t n);                        // n key/value pairs
  void set(int64_t n);
  void push(int64_t n);                       // pub/sub messages: > in RESP3, * in RESP2
  void double_value(double v);
  void boolean(bool v);
  void verbatim(std::string_view s, std::string_view format = "txt");
  void big_number(std::string_view digits);  // ( in RESP3, a bulk string in RESP2
  // Out-of-band attributes (RESP3 only); the caller writes n key/value pairs, then the reply.
  void attribute(int64_t n) { header('|', n); }
  void raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void header(char prefix, int64_t n);

  Buffer* out_;
  int protocol_;
};

}  // namespace cachet::resp
