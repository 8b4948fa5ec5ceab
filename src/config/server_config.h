#pragma once
// The typed values of every directive. Defaults are Valkey 8's. The server reads fields
// directly (they are hot: proto-max-bulk-len is checked on every request); changes go through
// the directive table so validation and apply hooks always run.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cachet::config {

enum class TlsAuthClients { kNo = 0, kYes = 1, kOptional = 2 };
enum class MaxmemoryPolicy {
  kNoeviction, kAllkeysLru, kVolatileLru, kAllkeysLfu, kVolatileLfu, kAllkeysRandom,
  kVolatileRandom, kVolatileTtl
};
enum class AppendFsync { kAlways, kEverysec, kNo };

struct OutputBufferLimit {
  int64_t hard_bytes = 0;
  int64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

struct ServerConfig {
  // Network
  std::vector<std::string> bind = {"*", "-::*"};
  int64_t port = 6379;
  int64_t tls_port = 0;
  std::string unixsocket;
  int64_t unixsocketperm = 0;
  int64_t tcp_backlog = 511;
  int64_t tcp_keepalive = 300;
  int64_t timeout = 0;
  int64_t maxclients = 10000;
  bool protected_mode = true;

  // TLS
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_key_file_pass;
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  std::string tls_client_key_file_pass;
  std::string tls_ca_cert_file;
  std::string tls_ca_cert_dir;
  std::string tls_dh_params_file;
  TlsAuthClients tls_auth_clients = TlsAuthClients::kYes;
  std::string tls_protocols;
  std::string tls_ciphers;
  std::string tls_ciphersuites;
  bool tls_prefer_server_ciphers = false;
  bool tls_session_caching = true;
  int64_t tls_session_cache_size = 20 * 1024;
  int64_t tls_session_cache_timeout = 300;
  int64_t tls_auto_reload_interval = 0;
  int64_t tls_handshake_timeout = 10000;  // ms; a Cachet extension
  bool tls_replication = false;
  bool tls_cluster = false;

  // Protocol and clients
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  OutputBufferLimit obuf_normal{0, 0, 0};
  OutputBufferLimit obuf_replica{256LL * 1024 * 1024, 64LL * 1024 * 1024, 60};
  OutputBufferLimit obuf_pubsub{32LL * 1024 * 1024, 8LL * 1024 * 1024, 60};
  std::string requirepass;

  // Server
  int64_t databases = 16;
  int64_t hz = 10;
  std::string loglevel = "notice";
  std::string logfile;
  bool daemonize = false;
  bool always_show_logo = false;
  int64_t io_threads = 1;
  std::string pidfile;
  std::string dir = ".";
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  bool rdb_del_sync_files = false;
  int64_t rdb_key_save_delay = 0;  // microseconds per key while saving (a test hook)
  int64_t key_load_delay = 0;      // microseconds per key while loading (a test hook)
  // Accepted for valkey.conf compatibility: loading yields to clients every 50 ms instead.
  int64_t loading_process_events_interval_bytes = 2 * 1024 * 1024;
  std::vector<std::pair<int64_t, int64_t>> save = {{3600, 1}, {300, 100}, {60, 10000}};
  bool appendonly = false;
  AppendFsync appendfsync = AppendFsync::kEverysec;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64LL * 1024 * 1024;
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;
  bool aof_timestamp_enabled = false;
  bool aof_rewrite_incremental_fsync = true;
  bool aof_disable_auto_gc = false;  // keep the files a rewrite retires (a test hook)
  // What SIGTERM / SIGINT do: ShutdownFlag bits; 0 = "default" (save when save points exist).
  uint32_t shutdown_on_sigterm = 0;
  uint32_t shutdown_on_sigint = 0;
  int64_t maxmemory = 0;
  MaxmemoryPolicy maxmemory_policy = MaxmemoryPolicy::kNoeviction;
  int64_t maxmemory_samples = 5;
  int64_t maxmemory_eviction_tenacity = 10;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;
  bool lazyfree_lazy_eviction = true;
  bool lazyfree_lazy_expire = true;
  int64_t maxmemory_clients = 0;  // negative: a percentage of maxmemory
  bool latency_tracking = true;
  bool lazyfree_lazy_user_flush = false;
  std::string enable_debug_command = "no";
  std::string enable_protected_configs = "no";
  int64_t active_expire_effort = 1;
  uint32_t notify_keyspace_events = 0;  // config::NotifyClass flags; 0: notifications off
  int64_t hash_max_listpack_entries = 128;
  int64_t hash_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
};

// shutdown-on-sigterm / shutdown-on-sigint words, as SHUTDOWN's own options.
enum ShutdownFlag : uint32_t {
  kShutdownSave = 1 << 0,
  kShutdownNoSave = 1 << 1,
  kShutdownNow = 1 << 2,
  kShutdownForce = 1 << 3,
};

// Memory values as valkey.conf writes them: 1k = 1000, 1kb = 1024, up to gb; case-insensitive.
bool parse_memory(const std::string& text, int64_t* out);

}  // namespace cachet::config
