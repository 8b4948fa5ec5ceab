#pragma once
// The shapes decoded values take (DUMP/RESTORE, snapshot loading): the configured
// compact-encoding limits, so a loaded collection is encoded as if it had been built here.
#include "config/server_config.h"
#include "persist/rdb_reader.h"

namespace cachet::commands {

inline persist::LoadLimits load_limits(const config::ServerConfig& c) {
  persist::LoadLimits l;
  l.set = {static_cast<size_t>(c.set_max_intset_entries),
           static_cast<size_t>(c.set_max_listpack_entries),
           static_cast<size_t>(c.set_max_listpack_value)};
  l.hash = {static_cast<size_t>(c.hash_max_listpack_entries),
            static_cast<size_t>(c.hash_max_listpack_value)};
  l.zset = {static_cast<size_t>(c.zset_max_listpack_entries),
            static_cast<size_t>(c.zset_max_listpack_value)};
  l.list_max_listpack_size = c.list_max_listpack_size;
  return l;
}

}  // namespace cachet::commands
