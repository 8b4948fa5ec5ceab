#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "persist/crc64.h"
#include "persist/packed_formats.h"
#include "persist/rdb_reader.h"
#include "persist/rdb_writer.h"
#include "persist/snapshot.h"
#include "store/hash_object.h"
#include "store/list_object.h"
#include "store/set_object.h"
#include "store/zset_object.h"

namespace cachet::persist {
namespace {

std::string temp_path(const char* name) {
  return std::string(::testing::TempDir()) + name + std::to_string(getpid()) + ".rdb";
}

std::vector<std::string> decoded(size_t (*decode)(std::string_view, uint64_t, const EntryFn&),
                                 const std::string& blob) {
  std::vector<std::string> out;
  decode(blob, 0, [&](std::string_view e) { out.emplace_back(e); });
  return out;
}

TEST(Crc64Test, MatchesRedisCheckValue) {
  EXPECT_EQ(crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  // Split input gives the same result as one call (slicing-by-8 and the byte loop agree).
  std::string text(1000, 'x');
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7);
  EXPECT_EQ(crc64(crc64(0, text.data(), 13), text.data() + 13, text.size() - 13),
            crc64(0, text.data(), text.size()));
}

TEST(PackedFormatsTest, Listpack) {
  const unsigned char bytes[] = {22, 0, 0, 0, 4, 0,                        // header
                                 0x81, 'a', 2,                             // "a"
                                 0x05, 1,                                  // 5
                                 0xDF, 0xFD, 2,                            // -3 (13-bit)
                                 0x85, 'h', 'e', 'l', 'l', 'o', 6,         // "hello"
                                 0xFF};
  std::string blob(reinterpret_cast<const char*>(bytes), sizeof bytes);
  EXPECT_EQ(decoded(decode_listpack, blob), (std::vector<std::string>{"a", "5", "-3", "hello"}));
  blob[0] = 30;  // header size disagrees with the blob
  EXPECT_THROW(decoded(decode_listpack, blob), RdbError);
  EXPECT_THROW(decoded(decode_listpack, blob.substr(0, 10)), RdbError);
}

TEST(PackedFormatsTest, Ziplist) {
  const unsigned char bytes[] = {21, 0, 0, 0, 16, 0, 0, 0, 3, 0,  // header
                                 0, 0x02, 'a', 'b',               // "ab"
                                 4, 0xF8,                         // immediate 7
                                 2, 0xC0, 0x2C, 0x01,             // int16 300
                                 0xFF};
  std::string blob(reinterpret_cast<const char*>(bytes), sizeof bytes);
  EXPECT_EQ(decoded(decode_ziplist, blob), (std::vector<std::string>{"ab", "7", "300"}));
}

TEST(PackedFormatsTest, Intset) {
  const unsigned char bytes[] = {2, 0, 0, 0, 3, 0, 0, 0, 0xFF, 0xFF, 1, 0, 2, 0};
  std::string blob(reinterpret_cast<const char*>(bytes), sizeof bytes);
  EXPECT_EQ(decoded(decode_intset, blob), (std::vector<std::string>{"-1", "1", "2"}));
  EXPECT_THROW(decoded(decode_intset, blob.substr(0, 12)), RdbError);
}

TEST(RdbStringTest, IntegersAndCompressionRoundTrip) {
  std::vector<std::string> cases = {"",     "0",          "-128",        "127",
                                    "300",  "-40000",     "2147483647",  "2147483648",
                                    "007",  "12345678901", std::string(200, 'z'),
                                    "plain text that is longer than twenty bytes"};
  for (const std::string& s : cases) {
    RdbSink out;
    write_string(out, s, /*compress=*/true);
    RdbSource in(out.data());
    EXPECT_EQ(read_string(in), s);
    EXPECT_EQ(in.remaining(), 0u);
  }
  RdbSink small;
  write_string(small, std::string(200, 'z'), true);
  EXPECT_LT(small.data().size(), 50u);  // LZF shrinks the repetition
  RdbSink integer;
  write_string(integer, "-40000", true);
  EXPECT_EQ(integer.data().size(), 5u);  // tag + int32
}

// Builds a keyspace with every type in both encodings, saves it, loads it into another
// keyspace, and compares everything through the public APIs.
TEST(SnapshotTest, EveryTypeRoundTrips) {
  store::Keyspace source(16);
  store::Database& db0 = source.db(0);
  db0.add("str", store::Value::string("hello"));
  db0.add("int", store::Value::string("-12345"));
  db0.add("big", store::Value::string(std::string(5000, 'q')));
  auto list = std::make_unique<store::ListObject>(-2);
  for (int i = 0; i < 1000; ++i) list->push_back(std::to_string(i));
  db0.add("list", store::Value::list(std::move(list)));
  auto set = std::make_unique<store::SetObject>();
  store::SetLimits set_limits;
  for (int i = 0; i < 600; ++i) set->add(std::to_string(i), set_limits);
  db0.add("set", store::Value::set(std::move(set)));
  auto hash = std::make_unique<store::HashObject>();
  store::CompactLimits hash_limits;
  for (int i = 0; i < 5; ++i) hash->set(std::to_string(i), std::string(3, 'v'), hash_limits);
  db0.add("hash", store::Value::hash(std::move(hash)));
  store::ZSetLimits zl;
  auto zset = std::make_unique<store::ZSetObject>(0, 0, zl);
  for (int i = 0; i < 300; ++i) zset->set(std::to_string(i), i * 0.5 - 10, zl);
  zset->set("inf", INFINITY, zl);
  db0.add("zset", store::Value::zset(std::move(zset)));
  store::Entry* ttl = source.db(3).add("ttl", store::Value::string("soon"));
  source.db(3).set_expire(ttl, 4'000'000'000'000);
  store::Entry* gone = source.db(3).add("gone", store::Value::string("past"));
  source.db(3).set_expire(gone, 1000);

  std::string path = temp_path("roundtrip");
  SaveOptions options;
  options.now_ms = 1'700'000'000'000;
  SaveResult saved = save_snapshot(path, source, options);
  ASSERT_TRUE(saved.ok) << saved.error;
  EXPECT_EQ(saved.keys, 9u);

  store::Keyspace loaded(16);
  SnapshotLoader loader(path, loaded, LoadLimits{}, options.now_ms);
  ASSERT_TRUE(loader.exists());
  while (loader.step(3)) {
  }
  ASSERT_TRUE(loader.ok()) << loader.error();
  EXPECT_EQ(loader.keys_loaded(), 8u);
  EXPECT_EQ(loader.expired_skipped(), 1u);
  store::Database& l0 = loaded.db(0);
  char scratch[store::Value::kIntBufferSize];
  EXPECT_EQ(l0.dict().find("str")->value.str(scratch), "hello");
  EXPECT_TRUE(l0.dict().find("int")->value.is_int());
  EXPECT_EQ(l0.dict().find("big")->value.string_length(), 5000u);
  EXPECT_EQ(l0.dict().find("list")->value.list_object()->at(999), "999");
  EXPECT_TRUE(l0.dict().find("set")->value.set_object()->contains("599"));
  EXPECT_EQ(*l0.dict().find("hash")->value.hash_object()->get("4"), "vvv");
  store::ZSetObject* z = l0.dict().find("zset")->value.zset_object();
  EXPECT_EQ(z->size(), 301u);
  EXPECT_EQ(*z->score("7"), -6.5);
  EXPECT_EQ(*z->score("inf"), INFINITY);
  store::Entry* t = loaded.db(3).dict().find("ttl");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(loaded.db(3).expire_at(t), 4'000'000'000'000);
  std::remove(path.c_str());
}

TEST(SnapshotTest, CorruptionIsReportedWithItsOffset) {
  store::Keyspace source(16);
  source.db(0).add("k", store::Value::string("value"));
  std::string path = temp_path("corrupt");
  ASSERT_TRUE(save_snapshot(path, source, SaveOptions{}).ok);
  std::string bytes;
  {
    std::ifstream f(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  auto load = [&](const std::string& content) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    store::Keyspace into(16);
    SnapshotLoader loader(path, into, LoadLimits{}, 0);
    while (loader.step(100)) {
    }
    return loader.error();
  };
  EXPECT_EQ(load(bytes), "");
  std::string flipped = bytes;
  flipped[flipped.size() - 12] ^= 0x20;  // inside the last value
  EXPECT_NE(load(flipped).find("checksum"), std::string::npos);
  EXPECT_NE(load(bytes.substr(0, bytes.size() - 20)).find("truncated"), std::string::npos);
  EXPECT_NE(load("REDIS0099").find("version"), std::string::npos);
  EXPECT_NE(load("NOTREDIS1").find("signature"), std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace cachet::persist
