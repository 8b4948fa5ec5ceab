#include "config/directives.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "common/log.h"
#include "common/strings.h"
#include "config/keyspace_events.h"

namespace cachet::config {
namespace {

using C = ServerConfig;
constexpr int64_t kMax = INT64_MAX;

Directive bind_directive() {
  Directive d;
  d.name = "bind";
  d.flags = kMultiArg;
  d.apply = ApplyGroup::kListeners;
  d.set = [](C& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() > 16) {
      *err = "Too many bind addresses specified.";
      return false;
    }
    c.bind = args;
    // An empty list (bind "") means every interface, as Valkey's listeners do without one.
    if (c.bind.empty() || (c.bind.size() == 1 && c.bind[0].empty())) c.bind = {"*", "-::*"};
    return true;
  };
  d.get = [](const C& c) { return fmt::format("{}", fmt::join(c.bind, " ")); };
  return d;
}

Directive save_directive() {
  Directive d;
  d.name = "save";
  d.flags = kMultiArg | kAccumulate;
  d.set = [](C& c, const std::vector<std::string>& args, std::string* err) {
    if (args.empty() || (args.size() == 1 && args[0].empty())) {
      c.save.clear();
      return true;
    }
    if (args.size() % 2 != 0) {
      *err = "Invalid save parameters";
      return false;
    }
    std::vector<std::pair<int64_t, int64_t>> points;
    for (size_t i = 0; i < args.size(); i += 2) {
      int64_t seconds, changes;
      if (!parse_int64(args[i], &seconds) || !parse_int64(args[i + 1], &changes) || seconds < 1 ||
          changes < 0) {
        *err = "Invalid save parameters";
        return false;
      }
      points.emplace_back(seconds, changes);
    }
    c.save = std::move(points);
    return true;
  };
  d.get = [](const C& c) {
    std::string out;
    for (const auto& [seconds, changes] : c.save) {
      if (!out.empty()) out += ' ';
      out += fmt::format("{} {}", seconds, changes);
    }
    return out;
  };
  return d;
}

Directive output_buffer_directive() {
  Directive d;
  d.name = "client-output-buffer-limit";
  d.flags = kMultiArg;
  d.set = [](C& c, const std::vector<std::string>& args, std::string* err) {
    if (args.empty() || args.size() % 4 != 0) {
      *err = "Wrong number of arguments in buffer limit configuration.";
      return false;
    }
    C next = c;
    for (size_t i = 0; i < args.size(); i += 4) {
      OutputBufferLimit* target = nullptr;
      std::string cls = to_lower(args[i]);
      if (cls == "normal") {
        target = &next.obuf_normal;
      } else if (cls == "replica" || cls == "slave") {
        target = &next.obuf_replica;
      } else if (cls == "pubsub") {
        target = &next.obuf_pubsub;
      } else {
        *err = "Invalid client class specified in buffer limit configuration.";
        return false;
      }
      OutputBufferLimit limit;
      if (!parse_memory(args[i + 1], &limit.hard_bytes) ||
          !parse_memory(args[i + 2], &limit.soft_bytes) ||
          !parse_int64(args[i + 3], &limit.soft_seconds) || limit.soft_seconds < 0) {
        *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        return false;
      }
      *target = limit;
    }
    c.obuf_normal = next.obuf_normal;
    c.obuf_replica = next.obuf_replica;
    c.obuf_pubsub = next.obuf_pubsub;
    return true;
  };
  d.get = [](const C& c) {
    auto one = [](const char* name, const OutputBufferLimit& l) {
      return fmt::format("{} {} {} {}", name, l.hard_bytes, l.soft_bytes, l.soft_seconds);
    };
    return one("normal", c.obuf_normal) + " " + one("replica", c.obuf_replica) + " " +
           one("pubsub", c.obuf_pubsub);
  };
  return d;
}

// Octal numbers such as unixsocketperm 700, printed back in octal.
Directive octal_directive(std::string name, int64_t C::*field, int64_t max, uint32_t flags) {
  Directive d = int_directive(std::move(name), field, 0, max, flags);
  d.set = [field, max](C& c, const std::vector<std::string>& args, std::string* err) {
    int64_t v = 0;
    bool ok = args.size() == 1 && !args[0].empty();
    for (char ch : ok ? args[0] : std::string()) {
      if (ch < '0' || ch > '7' || v > max) {
        ok = false;
        break;
      }
      v = v * 8 + (ch - '0');
    }
    if (!ok || v > max) {
      *err = "argument couldn't be parsed into an integer";
      return false;
    }
    c.*field = v;
    return true;
  };
  d.get = [field](const C& c) { return fmt::format("{:o}", c.*field); };
  return d;
}

// A string directive limited to a few words (enable-debug-command yes|no|local).
Directive choice_directive(std::string name, std::string C::*field,
                           std::vector<std::string> choices, uint32_t flags) {
  Directive d = string_directive(std::move(name), field, flags);
  d.set = [field, choices](C& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() == 1) {
      for (const std::string& choice : choices) {
        if (iequals(args[0], choice)) {
          c.*field = choice;
          return true;
        }
      }
    }
    *err = enum_error(choices);
    return false;
  };
  return d;
}

Directive loglevel_directive() {
  Directive d = string_directive("loglevel", &C::loglevel, 0, ApplyGroup::kLogging);
  d.set = [](C& c, const std::vector<std::string>& args, std::string* err) {
    LogLevel level;
    if (args.size() != 1 || !parse_log_level(args[0], &level)) {
      *err = enum_error({"debug", "verbose", "notice", "warning", "nothing"});
      return false;
    }
    c.loglevel = to_lower(args[0]);
    return true;
  };
  return d;
}

// A memory size or a percentage of maxmemory ("10%"), as maxmemory-clients takes; a
// percentage is kept negative, as Valkey keeps it.
Directive memory_or_percent_directive(std::string name, int64_t C::*field) {
  Directive d = memory_directive(std::move(name), field, 0, kMax);
  auto plain_set = d.set;
  d.set = [plain_set, field](C& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() == 1 && !args[0].empty() && args[0].back() == '%') {
      int64_t percent;
      if (!parse_int64(args[0].substr(0, args[0].size() - 1), &percent) || percent < 0 ||
          percent > 100) {
        *err = "argument must be between 0 and 100 inclusive";
        return false;
      }
      c.*field = -percent;
      return true;
    }
    return plain_set(c, args, err);
  };
  d.get = [field](const C& c) {
    return c.*field < 0 ? fmt::format("{}%", -(c.*field)) : fmt::format("{}", c.*field);
  };
  return d;
}

// appendfilename / appenddirname: a bare name inside `dir`, as Valkey insists.
Directive aof_name_directive(std::string name, std::string C::*field) {
  Directive d = string_directive(std::move(name), field, kImmutable);
  auto plain_set = d.set;
  d.set = [plain_set](C& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() == 1 && (args[0].empty() || args[0].find('/') != std::string::npos ||
                             args[0] == "." || args[0] == "..")) {
      *err = "must be a valid file name without a path";
      return false;
    }
    return plain_set(c, args, err);
  };
  return d;
}

// shutdown-on-sigterm / shutdown-on-sigint: "default", or any of save|nosave, now, force.
Directive shutdown_on_signal_directive(std::string name, uint32_t C::*field) {
  static const std::vector<std::pair<std::string, uint32_t>> kWords = {
      {"default", 0},
      {"save", kShutdownSave},
      {"nosave", kShutdownNoSave},
      {"now", kShutdownNow},
      {"force", kShutdownForce}};
  Directive d;
  d.name = std::move(name);
  d.flags = kMultiArg;
  d.set = [field](C& c, const std::vector<std::string>& args, std::string* err) {
    uint32_t flags = 0;
    for (const std::string& a : args) {
      auto it = std::find_if(kWords.begin(), kWords.end(),
                             [&](const auto& w) { return iequals(w.first, a); });
      if (it == kWords.end()) {
        *err = enum_error({"default", "save", "nosave", "now", "force"});
        return false;
      }
      flags |= it->second;
    }
    if ((flags & kShutdownSave) && (flags & kShutdownNoSave)) {
      *err = "shutdown options SAVE and NOSAVE can't be used simultaneously";
      return false;
    }
    c.*field = flags;
    return true;
  };
  d.get = [field](const C& c) {
    std::string out;
    for (const auto& [word, bit] : kWords) {
      if (bit == 0 || (c.*field & bit) == 0) continue;
      if (!out.empty()) out += ' ';
      out += word;
    }
    return out.empty() ? std::string("default") : out;
  };
  return d;
}

Directive keyspace_events_directive() {
  Directive d;
  d.name = "notify-keyspace-events";
  d.set = [](C& c, const std::vector<std::string>& args, std::string* err) {
    if (args.size() != 1) {
      *err = "wrong number of arguments";
      return false;
    }
    if (!parse_keyspace_events(args[0], &c.notify_keyspace_events)) {
      *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
      return false;
    }
    return true;
  };
  d.get = [](const C& c) { return format_keyspace_events(c.notify_keyspace_events); };
  return d;
}

std::vector<Directive> build_table() {
  const auto L = ApplyGroup::kListeners;
  const auto T = ApplyGroup::kTls;
  std::vector<Directive> t;
  // Network
  t.push_back(bind_directive());
  t.push_back(int_directive("port", &C::port, 0, 65535, 0, L));
  t.push_back(int_directive("tls-port", &C::tls_port, 0, 65535, 0, L));
  t.push_back(string_directive("unixsocket", &C::unixsocket, kImmutable));
  t.push_back(octal_directive("unixsocketperm", &C::unixsocketperm, 0777, kImmutable));
  t.push_back(int_directive("tcp-backlog", &C::tcp_backlog, 0, INT_MAX, kImmutable));
  t.push_back(int_directive("tcp-keepalive", &C::tcp_keepalive, 0, INT_MAX));
  t.push_back(int_directive("timeout", &C::timeout, 0, INT_MAX));
  t.push_back(int_directive("maxclients", &C::maxclients, 1, INT_MAX, 0, ApplyGroup::kMaxclients));
  t.push_back(bool_directive("protected-mode", &C::protected_mode));
  // TLS
  t.push_back(string_directive("tls-cert-file", &C::tls_cert_file, 0, T));
  t.push_back(string_directive("tls-key-file", &C::tls_key_file, 0, T));
  t.push_back(string_directive("tls-key-file-pass", &C::tls_key_file_pass, kSensitive, T));
  t.push_back(string_directive("tls-client-cert-file", &C::tls_client_cert_file, 0, T));
  t.push_back(string_directive("tls-client-key-file", &C::tls_client_key_file, 0, T));
  t.push_back(
      string_directive("tls-client-key-file-pass", &C::tls_client_key_file_pass, kSensitive, T));
  t.push_back(string_directive("tls-ca-cert-file", &C::tls_ca_cert_file, 0, T));
  t.push_back(string_directive("tls-ca-cert-dir", &C::tls_ca_cert_dir, 0, T));
  t.push_back(string_directive("tls-dh-params-file", &C::tls_dh_params_file, 0, T));
  t.push_back(enum_directive<TlsAuthClients>("tls-auth-clients", &C::tls_auth_clients,
                                             {{"no", TlsAuthClients::kNo},
                                              {"yes", TlsAuthClients::kYes},
                                              {"optional", TlsAuthClients::kOptional}},
                                             0, T));
  t.push_back(string_directive("tls-protocols", &C::tls_protocols, 0, T));
  t.push_back(string_directive("tls-ciphers", &C::tls_ciphers, 0, T));
  t.push_back(string_directive("tls-ciphersuites", &C::tls_ciphersuites, 0, T));
  t.push_back(bool_directive("tls-prefer-server-ciphers", &C::tls_prefer_server_ciphers, 0, T));
  t.push_back(bool_directive("tls-session-caching", &C::tls_session_caching, 0, T));
  t.push_back(int_directive("tls-session-cache-size", &C::tls_session_cache_size, 0, INT_MAX, 0, T));
  t.push_back(
      int_directive("tls-session-cache-timeout", &C::tls_session_cache_timeout, 0, INT_MAX, 0, T));
  t.push_back(int_directive("tls-auto-reload-interval", &C::tls_auto_reload_interval, 0,
                            INT_MAX, 0, T));
  t.push_back(int_directive("tls-handshake-timeout", &C::tls_handshake_timeout, 1, INT_MAX));
  t.push_back(bool_directive("tls-replication", &C::tls_replication));
  t.push_back(bool_directive("tls-cluster", &C::tls_cluster));
  // Protocol and clients
  t.push_back(memory_directive("proto-max-bulk-len", &C::proto_max_bulk_len, 1024 * 1024,
                               kMax));
  t.push_back(memory_directive("client-query-buffer-limit", &C::client_query_buffer_limit,
                               1024 * 1024, kMax));
  t.push_back(output_buffer_directive());
  t.push_back(string_directive("requirepass", &C::requirepass, kSensitive));
  // Server
  t.push_back(int_directive("databases", &C::databases, 1, INT_MAX, kImmutable));
  t.push_back(int_directive("hz", &C::hz, 1, 500));
  t.push_back(loglevel_directive());
  t.push_back(string_directive("logfile", &C::logfile, kImmutable));
  t.push_back(bool_directive("daemonize", &C::daemonize, kImmutable));
  t.push_back(bool_directive("always-show-logo", &C::always_show_logo, kImmutable));
  // Commands run on one thread; the directive exists so configs that say 1 load unchanged.
  t.push_back(int_directive("io-threads", &C::io_threads, 1, 1, kImmutable));
  t.push_back(string_directive("pidfile", &C::pidfile, kImmutable));
  t.push_back(string_directive("dir", &C::dir, kProtected, ApplyGroup::kDir));
  t.push_back(string_directive("dbfilename", &C::dbfilename, kProtected));
  t.push_back(bool_directive("rdbcompression", &C::rdbcompression));
  t.push_back(bool_directive("rdbchecksum", &C::rdbchecksum, kImmutable));
  t.push_back(bool_directive("stop-writes-on-bgsave-error", &C::stop_writes_on_bgsave_error));
  t.push_back(bool_directive("rdb-del-sync-files", &C::rdb_del_sync_files));
  t.push_back(int_directive("rdb-key-save-delay", &C::rdb_key_save_delay, INT_MIN, INT_MAX));
  t.push_back(int_directive("key-load-delay", &C::key_load_delay, INT_MIN, INT_MAX));
  t.push_back(memory_directive("loading-process-events-interval-bytes",
                               &C::loading_process_events_interval_bytes, 1024, INT_MAX));
  t.push_back(save_directive());
  t.push_back(bool_directive("appendonly", &C::appendonly, 0, ApplyGroup::kAppendonly));
  t.push_back(enum_directive<AppendFsync>("appendfsync", &C::appendfsync,
                                          {{"always", AppendFsync::kAlways},
                                           {"everysec", AppendFsync::kEverysec},
                                           {"no", AppendFsync::kNo}},
                                          0, ApplyGroup::kAppendonly));
  t.push_back(aof_name_directive("appendfilename", &C::appendfilename));
  t.push_back(aof_name_directive("appenddirname", &C::appenddirname));
  t.push_back(int_directive("auto-aof-rewrite-percentage", &C::auto_aof_rewrite_percentage, 0,
                            INT_MAX));
  t.push_back(memory_directive("auto-aof-rewrite-min-size", &C::auto_aof_rewrite_min_size, 0,
                               kMax));
  t.push_back(bool_directive("aof-load-truncated", &C::aof_load_truncated));
  t.push_back(bool_directive("aof-use-rdb-preamble", &C::aof_use_rdb_preamble));
  // Accepted so Valkey configs load: Cachet writes no timestamp annotations (it skips them
  // when loading) and fsyncs a rewrite once, at its end.
  t.push_back(bool_directive("aof-timestamp-enabled", &C::aof_timestamp_enabled));
  t.push_back(bool_directive("aof-rewrite-incremental-fsync", &C::aof_rewrite_incremental_fsync));
  t.push_back(bool_directive("aof-disable-auto-gc", &C::aof_disable_auto_gc, 0,
                             ApplyGroup::kAppendonly));
  t.push_back(shutdown_on_signal_directive("shutdown-on-sigterm", &C::shutdown_on_sigterm));
  t.push_back(shutdown_on_signal_directive("shutdown-on-sigint", &C::shutdown_on_sigint));
  constexpr ApplyGroup M = ApplyGroup::kMaxmemory;
  t.push_back(memory_directive("maxmemory", &C::maxmemory, 0, kMax, 0, M));
  t.push_back(enum_directive<MaxmemoryPolicy>(
      "maxmemory-policy", &C::maxmemory_policy,
      {{"volatile-lru", MaxmemoryPolicy::kVolatileLru},
       {"volatile-lfu", MaxmemoryPolicy::kVolatileLfu},
       {"volatile-random", MaxmemoryPolicy::kVolatileRandom},
       {"volatile-ttl", MaxmemoryPolicy::kVolatileTtl},
       {"allkeys-lru", MaxmemoryPolicy::kAllkeysLru},
       {"allkeys-lfu", MaxmemoryPolicy::kAllkeysLfu},
       {"allkeys-random", MaxmemoryPolicy::kAllkeysRandom},
       {"noeviction", MaxmemoryPolicy::kNoeviction}},
      0, M));
  t.push_back(int_directive("maxmemory-samples", &C::maxmemory_samples, 1, 64));
  t.push_back(int_directive("maxmemory-eviction-tenacity", &C::maxmemory_eviction_tenacity, 0,
                            100));
  t.push_back(int_directive("lfu-log-factor", &C::lfu_log_factor, 0, INT_MAX, 0, M));
  t.push_back(int_directive("lfu-decay-time", &C::lfu_decay_time, 0, INT_MAX, 0, M));
  // Evicted keys are freed at once on the engine thread; accepted so Valkey configs load.
  t.push_back(bool_directive("lazyfree-lazy-eviction", &C::lazyfree_lazy_eviction));
  // Expired keys are freed at once too; the setting decides whether the AOF records them as
  // UNLINK or DEL, as Valkey's does.
  t.push_back(bool_directive("lazyfree-lazy-expire", &C::lazyfree_lazy_expire));
  // Client eviction is not implemented; accepted so Valkey configs and tools that set it load.
  t.push_back(memory_or_percent_directive("maxmemory-clients", &C::maxmemory_clients));
  // Per-command latency histograms are not kept yet; accepted so configs and tools load.
  t.push_back(bool_directive("latency-tracking", &C::latency_tracking));
  t.push_back(bool_directive("lazyfree-lazy-user-flush", &C::lazyfree_lazy_user_flush));
  t.push_back(choice_directive("enable-debug-command", &C::enable_debug_command,
                               {"no", "yes", "local"}, kImmutable));
  t.push_back(choice_directive("enable-protected-configs", &C::enable_protected_configs,
                               {"no", "yes", "local"}, kImmutable));
  t.push_back(int_directive("active-expire-effort", &C::active_expire_effort, 1, 10));
  t.push_back(keyspace_events_directive());
  Directive entries = memory_directive("hash-max-listpack-entries", &C::hash_max_listpack_entries,
                                       0, INT_MAX);
  entries.aliases.push_back("hash-max-ziplist-entries");
  t.push_back(std::move(entries));
  Directive value = memory_directive("hash-max-listpack-value", &C::hash_max_listpack_value, 0,
                                     INT_MAX);
  value.aliases.push_back("hash-max-ziplist-value");
  t.push_back(std::move(value));
  Directive list_size =
      int_directive("list-max-listpack-size", &C::list_max_listpack_size, INT_MIN, INT_MAX);
  list_size.aliases.push_back("list-max-ziplist-size");
  t.push_back(std::move(list_size));
  // Accepted so Valkey configs load; Cachet does not compress list nodes (see configuration.md).
  t.push_back(int_directive("list-compress-depth", &C::list_compress_depth, 0, INT_MAX));
  t.push_back(memory_directive("set-max-intset-entries", &C::set_max_intset_entries, 0, INT_MAX));
  t.push_back(
      memory_directive("set-max-listpack-entries", &C::set_max_listpack_entries, 0, INT_MAX));
  t.push_back(memory_directive("set-max-listpack-value", &C::set_max_listpack_value, 0, INT_MAX));
  Directive zset_entries = memory_directive("zset-max-listpack-entries",
                                            &C::zset_max_listpack_entries, 0, INT_MAX);
  zset_entries.aliases.push_back("zset-max-ziplist-entries");
  t.push_back(std::move(zset_entries));
  Directive zset_value =
      memory_directive("zset-max-listpack-value", &C::zset_max_listpack_value, 0, INT_MAX);
  zset_value.aliases.push_back("zset-max-ziplist-value");
  t.push_back(std::move(zset_value));
  return t;
}

}  // namespace

const std::vector<Directive>& directives() {
  static const std::vector<Directive> table = build_table();
  return table;
}

const Directive* find_directive(std::string_view name) {
  for (const Directive& d : directives())
    if (d.matches(name)) return &d;
  return nullptr;
}

std::string directive_value(std::string_view name, const ServerConfig& config) {
  const Directive* d = find_directive(name);
  return d == nullptr ? std::string() : d->get(config);
}

}  // namespace cachet::config
