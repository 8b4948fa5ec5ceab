#include "persist/rdb_writer.h"

#include <liblzf/lzf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "common/strings.h"
#include "persist/crc64.h"
#include "persist/rdb_format.h"
#include "store/hash_object.h"
#include "store/list_object.h"
#include "store/set_object.h"
#include "store/zset_object.h"

namespace cachet::persist {

bool RdbSink::flush() {
  if (fd_ < 0 || buffer_.empty()) return ok();
  crc();
  size_t off = 0;
  while (off < buffer_.size() && ok()) {
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      break;
    }
    off += static_cast<size_t>(n);
  }
  flushed_ += buffer_.size();
  buffer_.clear();
  crc_done_ = 0;
  return ok();
}

uint64_t RdbSink::crc() {
  crc_ = crc64(crc_, buffer_.data() + crc_done_, buffer_.size() - crc_done_);
  crc_done_ = buffer_.size();
  return crc_;
}

void write_length(RdbSink& out, uint64_t len) {
  if (len < (1 << 6)) {
    out.byte(static_cast<uint8_t>(len));
  } else if (len < (1 << 14)) {
    uint8_t b[2] = {static_cast<uint8_t>((rdb::kLen14Bit << 6) | (len >> 8)),
                    static_cast<uint8_t>(len & 0xff)};
    out.write(b, 2);
  } else if (len <= UINT32_MAX) {
    out.byte(rdb::kLen32Bit);
    uint32_t be = __builtin_bswap32(static_cast<uint32_t>(len));
    out.write(&be, 4);
  } else {
    out.byte(rdb::kLen64Bit);
    uint64_t be = __builtin_bswap64(len);
    out.write(&be, 8);
  }
}

namespace {

// Integers that fit 32 bits, written in their canonical form, are stored as integers
// (1, 2 or 4 bytes, little-endian) as Redis does for strings of up to 11 characters.
bool write_as_integer(RdbSink& out, std::string_view s) {
  int64_t v;
  if (s.empty() || s.size() > 11 || !parse_int64(s, &v)) return false;
  if (v >= INT8_MIN && v <= INT8_MAX) {
    uint8_t b[2] = {(rdb::kLenSpecial << 6) | rdb::kEncInt8, static_cast<uint8_t>(v)};
    out.write(b, 2);
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    uint8_t b[3] = {(rdb::kLenSpecial << 6) | rdb::kEncInt16, static_cast<uint8_t>(v),
                    static_cast<uint8_t>(v >> 8)};
    out.write(b, 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    uint8_t b[5] = {(rdb::kLenSpecial << 6) | rdb::kEncInt32, static_cast<uint8_t>(v),
                    static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                    static_cast<uint8_t>(v >> 24)};
    out.write(b, 5);
  } else {
    return false;
  }
  return true;
}

// LZF only pays when it saves at least four bytes, the rule Redis applies.
bool write_compressed(RdbSink& out, std::string_view s) {
  if (s.size() <= 4) return false;
  size_t limit = s.size() - 4;
  char stack[1024];
  std::unique_ptr<char[]> heap;
  char* buf = stack;
  if (limit > sizeof stack) {
    heap = std::make_unique<char[]>(limit);
    buf = heap.get();
  }
  unsigned int n = lzf_compress(s.data(), static_cast<unsigned>(s.size()), buf,
                                static_cast<unsigned>(limit));
  if (n == 0) return false;
  out.byte((rdb::kLenSpecial << 6) | rdb::kEncLzf);
  write_length(out, n);
  write_length(out, s.size());
  out.write(buf, n);
  return true;
}

}  // namespace

void write_string(RdbSink& out, std::string_view s, bool compress) {
  if (write_as_integer(out, s)) return;
  if (compress && s.size() > 20 && write_compressed(out, s)) return;
  write_length(out, s.size());
  out.write(s.data(), s.size());
}

void write_binary_double(RdbSink& out, double v) {
  static_assert(sizeof(double) == 8);
  out.write(&v, 8);  // little-endian IEEE 754, as Redis writes it on every platform it runs on
}

uint8_t rdb_type_of(const store::Value& v) {
  switch (v.type()) {
    case store::ValueType::kString: return rdb::kTypeString;
    case store::ValueType::kList: return rdb::kTypeList;
    case store::ValueType::kSet: return rdb::kTypeSet;
    case store::ValueType::kZSet: return rdb::kTypeZset2;
    case store::ValueType::kHash: return rdb::kTypeHash;
    case store::ValueType::kStream: break;
  }
  return rdb::kTypeString;
}

// Every collection is written in its plain encoding (a count, then the items), which every
// Redis 7 and Valkey 8 loader reads and re-encodes to its own thresholds.
void write_value(RdbSink& out, const store::Value& v, bool compress) {
  switch (v.type()) {
    case store::ValueType::kString: {
      char scratch[store::Value::kIntBufferSize];
      write_string(out, v.str(scratch), compress);
      return;
    }
    case store::ValueType::kList: {
      const store::ListObject* l = v.list_object();
      write_length(out, l->size());
      if (l->size() > 0) l->for_range(0, l->size() - 1, [&](std::string_view item) {
        write_string(out, item, compress);
        return true;
      });
      return;
    }
    case store::ValueType::kSet: {
      const store::SetObject* s = v.set_object();
      write_length(out, s->size());
      s->for_each([&](std::string_view m) { write_string(out, m, compress); });
      return;
    }
    case store::ValueType::kZSet: {
      // Redis writes the skip list from the highest score down, so loading it inserts at the
      // head each time; the order does not matter to correctness, only to load speed.
      const store::ZSetObject* z = v.zset_object();
      write_length(out, z->size());
      z->visit(0, z->size(), true, [&](std::string_view m, double score) {
        write_string(out, m, compress);
        write_binary_double(out, score);
      });
      return;
    }
    case store::ValueType::kHash: {
      const store::HashObject* h = v.hash_object();
      write_length(out, h->size());
      h->for_each([&](std::string_view f, std::string_view val) {
        write_string(out, f, compress);
        write_string(out, val, compress);
      });
      return;
    }
    case store::ValueType::kStream: return;
  }
}

}  // namespace cachet::persist
