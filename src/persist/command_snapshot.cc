#include "persist/command_snapshot.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/strings.h"
#include "persist/rdb_writer.h"
#include "store/hash_object.h"
#include "store/list_object.h"
#include "store/set_object.h"
#include "store/zset_object.h"

namespace cachet::persist {
namespace {

constexpr size_t kItemsPerCommand = 64;

void bulk(RdbSink& out, std::string_view s) {
  char header[32];
  int n = std::snprintf(header, sizeof header, "$%zu\r\n", s.size());
  out.write(header, static_cast<size_t>(n));
  out.write(s.data(), s.size());
  out.write("\r\n", 2);
}

void command_header(RdbSink& out, size_t argc) {
  char header[32];
  int n = std::snprintf(header, sizeof header, "*%zu\r\n", argc);
  out.write(header, static_cast<size_t>(n));
}

// Emits `name key item...` in batches: `args_per_item` arguments per element.
class Batcher {
 public:
  Batcher(RdbSink& out, std::string_view name, std::string_view key, size_t total_items,
          size_t args_per_item)
      : out_(out), name_(name), key_(key), left_(total_items), per_item_(args_per_item) {}

  void item(std::initializer_list<std::string_view> args) {
    if (in_batch_ == 0) {
      size_t items = std::min(left_, kItemsPerCommand);
      command_header(out_, 2 + items * per_item_);
      bulk(out_, name_);
      bulk(out_, key_);
    }
    for (std::string_view a : args) bulk(out_, a);
    --left_;
    if (++in_batch_ == kItemsPerCommand) in_batch_ = 0;
  }

 private:
  RdbSink& out_;
  std::string_view name_;
  std::string_view key_;
  size_t left_;
  size_t per_item_;
  size_t in_batch_ = 0;
};

void write_value_commands(RdbSink& out, std::string_view key, const store::Value& v) {
  switch (v.type()) {
    case store::ValueType::kString: {
      char scratch[store::Value::kIntBufferSize];
      command_header(out, 3);
      bulk(out, "SET");
      bulk(out, key);
      bulk(out, v.str(scratch));
      break;
    }
    case store::ValueType::kList: {
      const store::ListObject* l = v.list_object();
      Batcher b(out, "RPUSH", key, l->size(), 1);
      if (l->size() > 0) {
        l->for_range(0, l->size() - 1, [&](std::string_view item) {
          b.item({item});
          return true;
        });
      }
      break;
    }
    case store::ValueType::kSet: {
      const store::SetObject* s = v.set_object();
      Batcher b(out, "SADD", key, s->size(), 1);
      s->for_each([&](std::string_view m) { b.item({m}); });
      break;
    }
    case store::ValueType::kHash: {
      const store::HashObject* h = v.hash_object();
      Batcher b(out, "HSET", key, h->size(), 2);
      h->for_each([&](std::string_view f, std::string_view value) { b.item({f, value}); });
      break;
    }
    case store::ValueType::kZSet: {
      const store::ZSetObject* z = v.zset_object();
      Batcher b(out, "ZADD", key, z->size(), 2);
      z->for_each([&](std::string_view m, double score) { b.item({format_double(score), m}); });
      break;
    }
    case store::ValueType::kStream: break;  // no streams exist to write
  }
}

}  // namespace

SaveResult write_command_snapshot(int fd, store::Keyspace& keyspace, const SaveOptions& options) {
  SaveResult result;
  RdbSink out(fd);
  if (options.time_annotation) {
    std::string stamp = fmt::format("#TS:{}\r\n", options.now_ms / 1000);
    out.write(stamp.data(), stamp.size());
  }
  for (size_t i = 0; i < keyspace.db_count() && out.ok(); ++i) {
    store::Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    std::string number = std::to_string(i);
    command_header(out, 2);
    bulk(out, "SELECT");
    bulk(out, number);
    db.dict().for_each([&](store::Entry* e) {
      if (!out.ok()) return;
      write_value_commands(out, e->key_view(), e->value);
      int64_t when = db.expire_at(e);
      if (when >= 0) {
        std::string ms = std::to_string(when);
        command_header(out, 3);
        bulk(out, "PEXPIREAT");
        bulk(out, e->key_view());
        bulk(out, ms);
      }
      ++result.keys;
      pause_after_key(options);
    });
  }
  return finish_save(out, result);
}

}  // namespace cachet::persist
