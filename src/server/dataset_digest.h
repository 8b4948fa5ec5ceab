#pragma once
// DEBUG DIGEST and DEBUG DIGEST-VALUE: a SHA-1 based fingerprint of the whole dataset or of
// one value, used by tests to check that a reload, a restore or a copy changed nothing. It
// does not depend on iteration order (keys, set members and hash fields are combined with
// XOR); an empty dataset digests to all zeros, as in Valkey. The values differ from Valkey's:
// digests are compared between runs of the same server, never across implementations.
#include <array>
#include <cstdint>
#include <string>

#include "store/keyspace.h"

namespace cachet::server {

using Digest = std::array<unsigned char, 20>;

Digest value_digest(const store::Value& value);
Digest dataset_digest(store::Keyspace& keyspace);
std::string digest_hex(const Digest& d);

}  // namespace cachet::server
