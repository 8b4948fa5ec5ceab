#include "persist/packed_formats.h"

#include <string>

#include "common/strings.h"
#include "persist/rdb_reader.h"

namespace cachet::persist {
namespace {

// A bounds-checked cursor over a blob.
class Cursor {
 public:
  Cursor(std::string_view blob, uint64_t base, const char* format)
      : blob_(blob), base_(base), format_(format) {}

  size_t pos() const { return pos_; }
  size_t left() const { return blob_.size() - pos_; }
  uint8_t peek() const {
    check(1);
    return static_cast<uint8_t>(blob_[pos_]);
  }
  uint8_t byte() {
    check(1);
    return static_cast<uint8_t>(blob_[pos_++]);
  }
  uint64_t little(size_t n) {
    check(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(blob_[pos_ + i])) << (8 * i);
    pos_ += n;
    return v;
  }
  uint64_t big(size_t n) {
    check(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(blob_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view bytes(uint64_t n) {
    check(n);
    std::string_view out = blob_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  void skip(uint64_t n) { bytes(n); }
  [[noreturn]] void fail(const std::string& what) const {
    std::string msg(format_);
    msg.append(": ").append(what);
    throw RdbError(base_ + pos_, msg);
  }

 private:
  void check(uint64_t n) const {
    if (n > left()) fail("entry runs past the end of the blob");
  }
  std::string_view blob_;
  uint64_t base_;
  const char* format_;
  size_t pos_ = 0;
};

// Sign-extends the low `bits` of v.
int64_t sign_extend(uint64_t v, int bits) {
  uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

void emit_int(int64_t v, const EntryFn& fn) {
  char buf[24];
  fn(std::string_view(buf, format_int64(v, buf)));
}

size_t listpack_backlen_size(size_t entry_len) {
  if (entry_len <= 127) return 1;
  if (entry_len < 16383) return 2;
  if (entry_len < 2097151) return 3;
  if (entry_len < 268435455) return 4;
  return 5;
}

}  // namespace

size_t decode_listpack(std::string_view blob, uint64_t base, const EntryFn& fn) {
  Cursor c(blob, base, "listpack");
  uint64_t total = c.little(4);
  c.little(2);  // element count; may read 65535 (unknown), so entries are counted instead
  if (total != blob.size()) c.fail("header size does not match the blob");
  size_t count = 0;
  for (;;) {
    size_t start = c.pos();
    uint8_t b = c.byte();
    if (b == 0xFF) break;
    if ((b & 0x80) == 0) {
      emit_int(b & 0x7F, fn);
    } else if ((b & 0xC0) == 0x80) {
      fn(c.bytes(b & 0x3F));
    } else if ((b & 0xE0) == 0xC0) {
      emit_int(sign_extend((static_cast<uint64_t>(b & 0x1F) << 8) | c.byte(), 13), fn);
    } else if ((b & 0xF0) == 0xE0) {
      fn(c.bytes((static_cast<uint64_t>(b & 0x0F) << 8) | c.byte()));
    } else if (b == 0xF0) {
      fn(c.bytes(c.little(4)));
    } else if (b == 0xF1) {
      emit_int(sign_extend(c.little(2), 16), fn);
    } else if (b == 0xF2) {
      emit_int(sign_extend(c.little(3), 24), fn);
    } else if (b == 0xF3) {
      emit_int(sign_extend(c.little(4), 32), fn);
    } else if (b == 0xF4) {
      emit_int(static_cast<int64_t>(c.little(8)), fn);
    } else {
      c.fail("unknown entry encoding");
    }
    c.skip(listpack_backlen_size(c.pos() - start));
    ++count;
  }
  if (c.left() != 0) c.fail("bytes after the end marker");
  return count;
}

size_t decode_ziplist(std::string_view blob, uint64_t base, const EntryFn& fn) {
  Cursor c(blob, base, "ziplist");
  uint64_t total = c.little(4);
  c.little(4);  // offset of the tail
  c.little(2);  // entry count (65535: unknown)
  if (total != blob.size()) c.fail("header size does not match the blob");
  size_t count = 0;
  for (;;) {
    if (c.peek() == 0xFF) {
      c.byte();
      break;
    }
    if (c.byte() == 0xFE) c.skip(4);  // the previous entry's length, long form
    uint8_t b = c.byte();
    switch (b >> 6) {
      case 0: fn(c.bytes(b & 0x3F)); break;
      case 1: fn(c.bytes((static_cast<uint64_t>(b & 0x3F) << 8) | c.byte())); break;
      case 2:
        if (b != 0x80) c.fail("unknown entry encoding");
        fn(c.bytes(c.big(4)));
        break;
      default:
        if (b == 0xC0) {
          emit_int(sign_extend(c.little(2), 16), fn);
        } else if (b == 0xD0) {
          emit_int(sign_extend(c.little(4), 32), fn);
        } else if (b == 0xE0) {
          emit_int(static_cast<int64_t>(c.little(8)), fn);
        } else if (b == 0xF0) {
          emit_int(sign_extend(c.little(3), 24), fn);
        } else if (b == 0xFE) {
          emit_int(sign_extend(c.little(1), 8), fn);
        } else if (b >= 0xF1 && b <= 0xFD) {
          emit_int((b & 0x0F) - 1, fn);
        } else {
          c.fail("unknown entry encoding");
        }
    }
    ++count;
  }
  if (c.left() != 0) c.fail("bytes after the end marker");
  return count;
}

size_t decode_intset(std::string_view blob, uint64_t base, const EntryFn& fn) {
  Cursor c(blob, base, "intset");
  uint64_t width = c.little(4);
  uint64_t length = c.little(4);
  if (width != 2 && width != 4 && width != 8) c.fail("unknown integer width");
  if (length * width != c.left()) c.fail("length does not match the blob");
  for (uint64_t i = 0; i < length; ++i)
    emit_int(sign_extend(c.little(width), static_cast<int>(width * 8)), fn);
  return length;
}

size_t decode_zipmap(std::string_view blob, uint64_t base, const EntryFn& fn) {
  Cursor c(blob, base, "zipmap");
  c.byte();  // pair count (254 or more: unknown)
  auto length = [&]() -> uint64_t {
    uint8_t b = c.byte();
    if (b < 254) return b;
    if (b == 254) return c.little(4);
    c.fail("unexpected end marker");
  };
  size_t pairs = 0;
  for (;;) {
    if (c.peek() == 0xFF) {
      c.byte();
      break;
    }
    fn(c.bytes(length()));
    uint64_t value_len = length();
    uint8_t free_bytes = c.byte();
    fn(c.bytes(value_len));
    c.skip(free_bytes);
    ++pairs;
  }
  return pairs * 2;
}

}  // namespace cachet::persist
