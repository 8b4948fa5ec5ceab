#pragma once
// The dataset as the commands that rebuild it (SELECT, SET, RPUSH, SADD, HSET, ZADD,
// PEXPIREAT): the base file of an AOF when `aof-use-rdb-preamble` is no. Collections go out
// in commands of at most 64 elements, as Valkey's rewrite batches them, so no single command
// is huge.
#include "persist/snapshot.h"
#include "store/keyspace.h"

namespace cachet::persist {

SaveResult write_command_snapshot(int fd, store::Keyspace& keyspace, const SaveOptions& options);

}  // namespace cachet::persist
