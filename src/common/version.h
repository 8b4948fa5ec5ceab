#pragma once
// Cachet's own version, and the Redis/Valkey versions it is compatible with. Clients look at
// redis_version to decide which commands exist, so it reports the protocol level it implements.
#define CACHET_VERSION_STRING "0.1.0"
#define CACHET_REDIS_COMPAT_VERSION "7.2.4"
#define CACHET_VALKEY_COMPAT_VERSION "8.0.1"
