#include "persist/rdb_reader.h"

#include <liblzf/lzf.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "common/strings.h"
#include "persist/crc64.h"
#include "persist/packed_formats.h"
#include "persist/rdb_format.h"
#include "store/list_object.h"

namespace cachet::persist {
namespace {
constexpr size_t kChunk = 1 << 20;
}

RdbSource::RdbSource(int fd, uint64_t size) : fd_(fd), size_(size) {}

RdbSource::RdbSource(std::string_view bytes) : size_(bytes.size()), buf_(bytes) {}

void RdbSource::need(size_t n) {
  if (n > remaining()) fail("unexpected end of data (truncated?)");
  if (pos_ + n <= buf_.size()) return;
  // Keep the unread tail, fold the consumed part into the CRC, and read the next chunk.
  crc();
  std::string next(buf_.substr(pos_));
  consumed_ += pos_;
  size_t want = std::max(n, kChunk);
  size_t have = next.size();
  next.resize(std::max(want, have));
  while (have < n || (have < want && consumed_ + have < size_)) {
    ssize_t got = ::read(fd_, next.data() + have, next.size() - have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (have >= n) break;
      fail(got == 0 ? "unexpected end of file (truncated?)" : std::strerror(errno));
    }
    have += static_cast<size_t>(got);
  }
  next.resize(have);
  owned_ = std::move(next);
  buf_ = owned_;
  pos_ = 0;
  crc_pos_ = 0;
}

uint8_t RdbSource::byte() {
  need(1);
  return static_cast<uint8_t>(buf_[pos_++]);
}

void RdbSource::read(void* out, size_t n) {
  need(n);
  std::memcpy(out, buf_.data() + pos_, n);
  pos_ += n;
}

std::string RdbSource::read_string(size_t n) {
  need(n);
  std::string out(buf_.substr(pos_, n));
  pos_ += n;
  return out;
}

uint64_t RdbSource::crc() {
  crc_ = crc64(crc_, buf_.data() + crc_pos_, pos_ - crc_pos_);
  crc_pos_ = pos_;
  return crc_;
}

uint64_t read_length(RdbSource& in, bool* is_encoded) {
  if (is_encoded != nullptr) *is_encoded = false;
  uint8_t first = in.byte();
  switch (first >> 6) {
    case rdb::kLen6Bit: return first & 0x3F;
    case rdb::kLen14Bit: return (static_cast<uint64_t>(first & 0x3F) << 8) | in.byte();
    case rdb::kLenSpecial:
      if (is_encoded == nullptr) in.fail("unexpected string encoding where a length belongs");
      *is_encoded = true;
      return first & 0x3F;
    default:
      break;
  }
  if (first == rdb::kLen32Bit) {
    uint32_t be;
    in.read(&be, 4);
    return __builtin_bswap32(be);
  }
  if (first == rdb::kLen64Bit) {
    uint64_t be;
    in.read(&be, 8);
    return __builtin_bswap64(be);
  }
  in.fail("unknown length encoding");
}

std::string read_string(RdbSource& in) {
  bool encoded;
  uint64_t len = read_length(in, &encoded);
  if (!encoded) {
    if (len > in.remaining()) in.fail("string length beyond the end of the data");
    return in.read_string(len);
  }
  auto little = [&](int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(in.byte()) << (8 * i);
    return v;
  };
  switch (len) {
    case rdb::kEncInt8: return int64_to_string(static_cast<int8_t>(little(1)));
    case rdb::kEncInt16: return int64_to_string(static_cast<int16_t>(little(2)));
    case rdb::kEncInt32: return int64_to_string(static_cast<int32_t>(little(4)));
    case rdb::kEncLzf: {
      uint64_t compressed = read_length(in);
      uint64_t plain = read_length(in);
      if (compressed > in.remaining()) in.fail("compressed string beyond the end of the data");
      // LZF expands at most ~100x... but a corrupt header can claim anything: cap the claim.
      if (plain > compressed * 256 + 64) in.fail("implausible uncompressed length");
      std::string packed = in.read_string(compressed);
      std::string out(plain, '\0');
      if (plain > 0 &&
          lzf_decompress(packed.data(), static_cast<unsigned>(compressed), out.data(),
                         static_cast<unsigned>(plain)) != plain) {
        in.fail("LZF data does not decompress to its stated length");
      }
      return out;
    }
    default: in.fail("unknown string encoding");
  }
}

double read_binary_double(RdbSource& in) {
  double v;
  in.read(&v, 8);
  return v;
}

namespace {

// ZSET (version 1) scores: a length byte, then the number as text; 253-255 stand for nan, inf
// and -inf.
double read_text_double(RdbSource& in) {
  uint8_t len = in.byte();
  if (len == 253) return std::nan("");
  if (len == 254) return INFINITY;
  if (len == 255) return -INFINITY;
  std::string text = in.read_string(len);
  double v;
  if (!parse_double(text, &v)) in.fail("invalid score");
  return v;
}

// A blob holding a packed structure, with the offset it started at for error messages.
struct Blob {
  std::string bytes;
  uint64_t offset;
};
Blob read_blob(RdbSource& in) {
  uint64_t at = in.offset();
  return {read_string(in), at};
}

std::unique_ptr<store::ListObject> new_list(const LoadLimits& limits) {
  return std::make_unique<store::ListObject>(limits.list_max_listpack_size);
}

store::Value pairs_to_hash(const std::vector<std::string>& items, const LoadLimits& limits,
                           RdbSource& in) {
  if (items.size() % 2 != 0) in.fail("odd number of hash entries");
  auto h = std::make_unique<store::HashObject>();
  for (size_t i = 0; i < items.size(); i += 2)
    if (!h->set(items[i], items[i + 1], limits.hash)) in.fail("duplicate hash field");
  return store::Value::hash(std::move(h));
}

store::Value pairs_to_zset(const std::vector<std::string>& items, const LoadLimits& limits,
                           RdbSource& in) {
  if (items.size() % 2 != 0) in.fail("odd number of sorted set entries");
  size_t longest = 0;
  for (size_t i = 0; i < items.size(); i += 2) longest = std::max(longest, items[i].size());
  auto z = std::make_unique<store::ZSetObject>(items.size() / 2, longest, limits.zset);
  for (size_t i = 0; i < items.size(); i += 2) {
    double score;
    if (!parse_double(items[i + 1], &score)) in.fail("invalid score in a packed sorted set");
    if (!z->set(items[i], score, limits.zset)) in.fail("duplicate sorted set member");
  }
  return store::Value::zset(std::move(z));
}

std::vector<std::string> decode_all(const Blob& blob, size_t (*decode)(std::string_view, uint64_t,
                                                                        const EntryFn&)) {
  std::vector<std::string> items;
  decode(blob.bytes, blob.offset, [&](std::string_view e) { items.emplace_back(e); });
  return items;
}

}  // namespace

store::Value read_value(RdbSource& in, uint8_t type, const LoadLimits& limits) {
  switch (type) {
    case rdb::kTypeString: return store::Value::string(read_string(in));
    case rdb::kTypeList: {
      uint64_t n = read_length(in);
      if (n > in.remaining()) in.fail("list length beyond the end of the data");
      auto l = new_list(limits);
      for (uint64_t i = 0; i < n; ++i) l->push_back(read_string(in));
      return store::Value::list(std::move(l));
    }
    case rdb::kTypeSet: {
      uint64_t n = read_length(in);
      if (n > in.remaining()) in.fail("set length beyond the end of the data");
      auto s = std::make_unique<store::SetObject>();
      for (uint64_t i = 0; i < n; ++i)
        if (!s->add(read_string(in), limits.set)) in.fail("duplicate set member");
      return store::Value::set(std::move(s));
    }
    case rdb::kTypeZset:
    case rdb::kTypeZset2: {
      uint64_t n = read_length(in);
      if (n > in.remaining()) in.fail("sorted set length beyond the end of the data");
      std::vector<std::pair<std::string, double>> items;
      size_t longest = 0;
      for (uint64_t i = 0; i < n; ++i) {
        std::string m = read_string(in);
        double score = type == rdb::kTypeZset2 ? read_binary_double(in) : read_text_double(in);
        if (std::isnan(score)) in.fail("sorted set score is NaN");
        longest = std::max(longest, m.size());
        items.emplace_back(std::move(m), score);
      }
      auto z = std::make_unique<store::ZSetObject>(items.size(), longest, limits.zset);
      for (auto& [m, s] : items)
        if (!z->set(m, s, limits.zset)) in.fail("duplicate sorted set member");
      return store::Value::zset(std::move(z));
    }
    case rdb::kTypeHash: {
      uint64_t n = read_length(in);
      if (n > in.remaining()) in.fail("hash length beyond the end of the data");
      std::vector<std::string> items;
      for (uint64_t i = 0; i < 2 * n; ++i) items.push_back(read_string(in));
      return pairs_to_hash(items, limits, in);
    }
    case rdb::kTypeHashZipmap:
      return pairs_to_hash(decode_all(read_blob(in), decode_zipmap), limits, in);
    case rdb::kTypeHashZiplist:
      return pairs_to_hash(decode_all(read_blob(in), decode_ziplist), limits, in);
    case rdb::kTypeHashListpack:
      return pairs_to_hash(decode_all(read_blob(in), decode_listpack), limits, in);
    case rdb::kTypeZsetZiplist:
      return pairs_to_zset(decode_all(read_blob(in), decode_ziplist), limits, in);
    case rdb::kTypeZsetListpack:
      return pairs_to_zset(decode_all(read_blob(in), decode_listpack), limits, in);
    case rdb::kTypeSetIntset:
    case rdb::kTypeSetListpack: {
      auto items = decode_all(read_blob(in),
                              type == rdb::kTypeSetIntset ? decode_intset : decode_listpack);
      auto s = std::make_unique<store::SetObject>();
      for (const std::string& m : items)
        if (!s->add(m, limits.set)) in.fail("duplicate set member");
      return store::Value::set(std::move(s));
    }
    case rdb::kTypeListZiplist: {
      auto l = new_list(limits);
      Blob blob = read_blob(in);
      decode_ziplist(blob.bytes, blob.offset, [&](std::string_view e) { l->push_back(e); });
      return store::Value::list(std::move(l));
    }
    case rdb::kTypeListQuicklist:
    case rdb::kTypeListQuicklist2: {
      uint64_t nodes = read_length(in);
      if (nodes > in.remaining()) in.fail("quicklist node count beyond the end of the data");
      auto l = new_list(limits);
      for (uint64_t i = 0; i < nodes; ++i) {
        uint64_t container = type == rdb::kTypeListQuicklist2 ? read_length(in)
                                                              : rdb::kQuicklistPacked;
        Blob node = read_blob(in);
        if (container == rdb::kQuicklistPlain) {
          l->push_back(node.bytes);
        } else if (container == rdb::kQuicklistPacked) {
          auto decode = type == rdb::kTypeListQuicklist2 ? decode_listpack : decode_ziplist;
          if (decode(node.bytes, node.offset, [&](std::string_view e) { l->push_back(e); }) == 0) {
            in.fail("empty quicklist node");
          }
        } else {
          in.fail("unknown quicklist container");
        }
      }
      return store::Value::list(std::move(l));
    }
    case rdb::kTypeStreamListpacks:
    case rdb::kTypeStreamListpacks2:
    case rdb::kTypeStreamListpacks3:
      in.fail("streams are not supported by Cachet yet");
    case rdb::kTypeModulePreGa:
    case rdb::kTypeModule2:
      in.fail("module values are not supported by Cachet");
    default:
      in.fail("unknown value type " + std::to_string(type));
  }
}

}  // namespace cachet::persist
