// DUMP and RESTORE: a key's value in the RDB value format, followed by the RDB version (2
// bytes) and a CRC-64 of everything before it (8 bytes), as Redis and Valkey exchange them,
// so a payload moves between Cachet, Redis 7 and Valkey 8 in either direction.
#include <cstring>
#include <string>

#include "commands/context.h"
#include "commands/errors.h"
#include "commands/families.h"
#include "commands/load_limits.h"
#include "commands/spec_builder.h"
#include "common/strings.h"
#include "persist/crc64.h"
#include "persist/rdb_format.h"
#include "persist/rdb_reader.h"
#include "persist/rdb_writer.h"
#include "store/access_clock.h"

namespace cachet::commands {
namespace {

void dump_command(CommandContext& ctx) {
  store::Entry* e = ctx.db().lookup_read(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) return ctx.reply.null();
  persist::RdbSink out;
  out.byte(persist::rdb_type_of(e->value));
  persist::write_value(out, e->value, ctx.engine.config.rdbcompression);
  uint8_t version[2] = {persist::rdb::kWriteVersion & 0xff, persist::rdb::kWriteVersion >> 8};
  out.write(version, 2);
  uint64_t crc = out.crc();
  out.write(&crc, 8);
  ctx.reply.bulk(out.data());
}

// The value inside a payload, or false when its footer does not check out.
bool verify_payload(std::string_view payload) {
  if (payload.size() < 10) return false;
  size_t body = payload.size() - 10;
  unsigned version = static_cast<uint8_t>(payload[body]) |
                     static_cast<unsigned>(static_cast<uint8_t>(payload[body + 1])) << 8;
  if (version > static_cast<unsigned>(persist::rdb::kVersion)) return false;
  uint64_t stored;
  std::memcpy(&stored, payload.data() + body + 2, 8);
  return stored == persist::crc64(0, payload.data(), body + 2);
}

void restore_command(CommandContext& ctx) {
  bool replace = false, absolute = false;
  int64_t idle = -1, freq = -1;
  for (size_t i = 4; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (iequals(a, "replace")) {
      replace = true;
    } else if (iequals(a, "absttl")) {
      absolute = true;
    } else if (iequals(a, "idletime") && has_value && freq == -1) {
      if (!parse_int64(ctx.arg(++i), &idle)) return ctx.reply.error(errors::kNotInteger);
      if (idle < 0) return ctx.reply.error("ERR Invalid IDLETIME value, must be >= 0");
    } else if (iequals(a, "freq") && has_value && idle == -1) {
      if (!parse_int64(ctx.arg(++i), &freq)) return ctx.reply.error(errors::kNotInteger);
      if (freq < 0 || freq > 255) {
        return ctx.reply.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      }
    } else {
      return ctx.reply.error(errors::kSyntax);
    }
  }
  int64_t ttl;
  if (!parse_int64(ctx.arg(2), &ttl)) return ctx.reply.error(errors::kNotInteger);
  if (ttl < 0) return ctx.reply.error("ERR Invalid TTL value, must be >= 0");
  std::string_view key = ctx.arg(1);
  bool exists = ctx.db().lookup(key, ctx.now_ms) != nullptr;
  if (exists && !replace) return ctx.reply.error("BUSYKEY Target key name already exists.");
  std::string_view payload = ctx.arg(3);
  if (!verify_payload(payload)) {
    return ctx.reply.error("ERR DUMP payload version or checksum are wrong");
  }
  persist::RdbSource in(payload.substr(0, payload.size() - 10));
  store::Value value;
  try {
    uint8_t type = in.byte();
    value = persist::read_value(in, type, load_limits(ctx.engine.config));
    if (in.remaining() != 0) in.fail("trailing bytes");
  } catch (const persist::RdbError&) {
    return ctx.reply.error("ERR Bad data format");
  }
  int64_t expire_at = ttl == 0 ? -1 : (absolute ? ttl : ctx.now_ms + ttl);
  if (exists) ctx.db().remove(key);
  if (expire_at >= 0 && expire_at <= ctx.now_ms) {
    // Already expired: the key is gone, as if it had expired right after being restored.
    if (exists) {
      ctx.engine.key_modified(ctx.session.db, key);
      ctx.engine.notify(kNotifyGeneric, "del", ctx.session.db, key);
      ctx.engine.propagation.rewrite({"DEL", key});
    }
    return ctx.reply.ok();
  }
  store::Entry* e = ctx.db().add(key, std::move(value));
  if (expire_at >= 0) ctx.db().set_expire(e, expire_at);
  // IDLETIME sets the LRU clock and FREQ the LFU counter, each only under a policy that keeps
  // that kind of stamp, as in Valkey.
  bool lfu = ctx.engine.keyspace.access().lfu();
  if (idle >= 0 && !lfu) e->lru = store::lru_clock(ctx.now_ms - idle * 1000);
  if (freq >= 0 && lfu) e->lru = store::lfu_stamp(static_cast<uint32_t>(freq), ctx.now_ms);
  ctx.engine.key_modified(ctx.session.db, key);
  ctx.engine.notify(kNotifyGeneric, "restore", ctx.session.db, key);
  if (expire_at >= 0 && !absolute && ctx.engine.propagation.enabled()) {
    // A relative TTL is recorded as the moment it ends, so a replay keeps the key's death.
    std::vector<std::string> argv(ctx.args.begin(), ctx.args.end());
    argv[2] = std::to_string(expire_at);
    argv.emplace_back("ABSTTL");
    ctx.engine.propagation.rewrite(std::move(argv));
  }
  ctx.reply.ok();
}

}  // namespace

void register_dump_commands(CommandTable& t) {
  t.add(cmd("dump", 2, kReadonly, kAclKeyspace | kAclRead | kAclSlow, kOneKey,
            Doc{"generic", "Returns a serialized representation of the value stored at a key.",
                "2.6.0",
                "O(1) to access the key and additional O(N*M) to serialize it, where N is the "
                "number of Redis objects composing the value and M their average size."},
            dump_command));
  t.add(cmd("restore", -4, kWrite | kDenyOom, kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
            kOneKey,
            Doc{"generic", "Creates a key from the serialized representation of a value.",
                "2.6.0",
                "O(1) to create the new key and additional O(N*M) to reconstruct the serialized "
                "value, where N is the number of Redis objects composing the value and M their "
                "average size."},
            restore_command));
}

}  // namespace cachet::commands
