// INFO: the sections and field names Valkey reports, so monitoring and clients read them
// unchanged.
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <set>

#include "commands/context.h"
#include "commands/spec_builder.h"
#include "common/clock.h"
#include "common/strings.h"
#include "common/version.h"
#include "config/directives.h"
#include "server/client.h"
#include "server/server.h"
#include "server/server_families.h"
#include "store/memory.h"

namespace cachet::server {
namespace {

std::string human_bytes(double n) {
  const char* units[] = {"B", "K", "M", "G", "T", "P"};
  int u = 0;
  while (n >= 1024 && u < 5) {
    n /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{}B", static_cast<int64_t>(n));
  return fmt::format("{:.2f}{}", n, units[u]);
}

void section_server(Server& s, std::string& out) {
  utsname name{};
  uname(&name);
  const config::ServerConfig& c = s.config();
  int64_t uptime = (now_us() - s.engine().stats.start_time_us) / 1000000;
  out += "# Server\r\n";
  out += fmt::format(
      "redis_version:{}\r\nserver_name:valkey\r\nvalkey_version:{}\r\ncachet_version:{}\r\n"
      "redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n"
      "server_mode:standalone\r\nredis_mode:standalone\r\nos:{} {} {}\r\narch_bits:64\r\n"
      "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n"
      "gcc_version:{}.{}.{}\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{:040x}\r\n"
      "tcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\n"
      "hz:{}\r\nconfigured_hz:{}\r\nlru_clock:{}\r\nexecutable:/proc/{}/exe\r\n"
      "config_file:{}\r\nio_threads_active:0\r\n",
      CACHET_REDIS_COMPAT_VERSION, CACHET_VALKEY_COMPAT_VERSION, CACHET_VERSION_STRING,
      name.sysname, name.release, name.machine, __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
      s.pid(), static_cast<uint64_t>(s.engine().stats.start_time_us) * 2654435761ULL,
      s.listening_port(), now_us(), uptime, uptime / 86400, c.hz, c.hz,
      store::lru_clock(now_ms()), s.pid(), s.config_file());
}

void section_clients(Server& s, std::string& out) {
  size_t connected = 0;
  size_t max_input = 0, max_output = 0;
  for (const auto& [id, c] : s.clients()) {
    if (c->closing()) continue;
    ++connected;
    max_input = std::max(max_input, c->query_buffer().size());
    max_output = std::max(max_output, c->output().size());
  }
  size_t paused = 0;
  for (const auto& [id, c] : s.clients())
    if (c->blocked_by_pause()) ++paused;
  out += "# Clients\r\n";
  out += fmt::format(
      "connected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\n"
      "client_recent_max_input_buffer:{}\r\nclient_recent_max_output_buffer:{}\r\n"
      "blocked_clients:{}\r\ntracking_clients:0\r\npubsub_clients:{}\r\nwatching_clients:{}\r\n"
      "clients_in_timeout_table:0\r\ntotal_watched_keys:{}\r\ntotal_blocking_keys:{}\r\n"
      "total_blocking_keys_on_nokey:0\r\npaused_clients:{}\r\n",
      connected, s.config().maxclients, max_input, max_output, s.blocked_clients(),
      s.engine().pubsub.subscribed_clients(), s.engine().watches.watching_sessions(), s.engine().watches.watched_keys(),
      s.engine().blocking.key_count(), paused);
}

// What connected clients hold in buffers (INFO mem_clients_normal), part of the overhead.
size_t client_buffer_bytes(Server& s) {
  size_t bytes = 0;
  for (const auto& [id, c] : s.clients()) {
    bytes += sizeof(Client) + c->query_buffer().capacity() + c->output().capacity();
  }
  return bytes;
}

void section_memory(Server& s, std::string& out) {
  store::note_peak();
  size_t used = store::allocated_bytes();
  size_t rss = store::resident_set_bytes();
  size_t peak = std::max(store::peak_allocated_bytes(), used);
  size_t startup = std::min(s.startup_memory(), used);
  size_t clients = client_buffer_bytes(s);
  // As Valkey: the overhead is what the server needs with no data (start-up memory, client
  // buffers, the keyspace's hash tables); the dataset is the rest.
  size_t tables = 0;
  store::Keyspace& ks = s.engine().keyspace;
  for (size_t i = 0; i < ks.db_count(); ++i) {
    tables += ks.db(i).dict().overhead_bytes() + ks.db(i).expires_overhead_bytes();
  }
  size_t overhead = std::min(used, startup + clients + tables);
  size_t dataset = used - overhead;
  size_t net = used > startup ? used - startup : 1;
  uint64_t system = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                    static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  int64_t maxmemory = s.config().maxmemory;
  auto human = [](size_t n) { return human_bytes(static_cast<double>(n)); };
  double frag = used > 0 ? static_cast<double>(rss) / static_cast<double>(used) : 0.0;
  out += "# Memory\r\n";
  out += fmt::format(
      "used_memory:{}\r\nused_memory_human:{}\r\nused_memory_rss:{}\r\n"
      "used_memory_rss_human:{}\r\nused_memory_peak:{}\r\nused_memory_peak_human:{}\r\n"
      "used_memory_peak_perc:{:.2f}%\r\nused_memory_overhead:{}\r\nused_memory_startup:{}\r\n"
      "used_memory_dataset:{}\r\nused_memory_dataset_perc:{:.2f}%\r\n"
      "allocator_allocated:{}\r\nallocator_active:{}\r\nallocator_resident:{}\r\n"
      "total_system_memory:{}\r\ntotal_system_memory_human:{}\r\n",
      used, human(used), rss, human(rss), peak, human(peak),
      peak > 0 ? static_cast<double>(used) * 100 / static_cast<double>(peak) : 0.0, overhead,
      startup, dataset, static_cast<double>(dataset) * 100 / static_cast<double>(net), used, used,
      rss, system, human(system));
  out += fmt::format(
      "maxmemory:{}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\n"
      "mem_fragmentation_ratio:{:.2f}\r\nmem_fragmentation_bytes:{}\r\n"
      "mem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n"
      "mem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:{}\r\n"
      "mem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:libc\r\n"
      "mem_overhead_db_hashtable_rehashing:0\r\nactive_defrag_running:0\r\n"
      "lazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
      maxmemory, human_bytes(static_cast<double>(maxmemory)),
      config::directive_value("maxmemory-policy", s.config()), frag,
      static_cast<int64_t>(rss) - static_cast<int64_t>(used), clients);
}

void section_persistence(Server& s, std::string& out) {
  out += "# Persistence\r\n";
  s.persistence().info(out, now_ms());
}

void section_stats(Server& s, std::string& out) {
  const commands::ServerStats& st = s.engine().stats;
  const store::KeyspaceStats& ks = s.engine().keyspace.stats();
  const commands::PubSubRegistry& pubsub = s.engine().pubsub;
  out += "# Stats\r\n";
  out += fmt::format(
      "total_connections_received:{}\r\ntotal_commands_processed:{}\r\n"
      "instantaneous_ops_per_sec:0\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\n"
      "rejected_connections:{}\r\nexpired_keys:{}\r\nexpired_stale_perc:0.00\r\n"
      "expired_time_cap_reached_count:0\r\nevicted_keys:{}\r\nevicted_clients:0\r\n"
      "evicted_scripts:0\r\ntotal_eviction_exceeded_time:{}\r\n"
      "current_eviction_exceeded_time:{}\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\n"
      "pubsub_channels:{}\r\npubsub_patterns:{}\r\npubsubshard_channels:{}\r\n"
      "latest_fork_usec:{}\r\ntotal_forks:{}\r\nmigrate_cached_sockets:0\r\n"
      "total_active_defrag_time:0\r\ntracking_total_keys:0\r\ntotal_error_replies:{}\r\n"
      "dump_payload_sanitizations:0\r\ntotal_reads_processed:0\r\ntotal_writes_processed:0\r\n"
      "client_query_buffer_limit_disconnections:{}\r\n"
      "client_output_buffer_limit_disconnections:{}\r\ntls_handshake_failures:{}\r\n",
      st.total_connections_received, st.total_commands_processed, st.total_net_input_bytes,
      st.total_net_output_bytes, st.rejected_connections, ks.expired_keys, st.evicted_keys,
      s.engine().eviction.total_exceeded_ms(), s.engine().eviction.current_exceeded_ms(),
      ks.keyspace_hits, ks.keyspace_misses, pubsub.active_count(commands::PubSubKind::kChannel),
      pubsub.active_count(commands::PubSubKind::kPattern),
      pubsub.active_count(commands::PubSubKind::kShard), s.persistence().latest_fork_us(),
      s.persistence().total_forks(), st.total_error_replies,
      st.client_query_buffer_limit_disconnections,
      st.client_output_buffer_limit_disconnections, s.tls_stats().handshake_failures());
}

void section_replication(Server& s, std::string& out) {
  out += "# Replication\r\n";
  out += "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
         "master_replid:0000000000000000000000000000000000000000\r\n"
         "master_replid2:0000000000000000000000000000000000000000\r\n"
         "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
         "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\n"
         "repl_backlog_histlen:0\r\n";
}

void section_cpu(Server& s, std::string& out) {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  out += "# CPU\r\n";
  out += fmt::format(
      "used_cpu_sys:{:.6f}\r\nused_cpu_user:{:.6f}\r\nused_cpu_sys_children:{:.6f}\r\n"
      "used_cpu_user_children:{:.6f}\r\nused_cpu_sys_main_thread:{:.6f}\r\n"
      "used_cpu_user_main_thread:{:.6f}\r\n",
      secs(self.ru_stime), secs(self.ru_utime), secs(children.ru_stime),
      secs(children.ru_utime), secs(self.ru_stime), secs(self.ru_utime));
}

void section_commandstats(Server& s, std::string& out) {
  out += "# Commandstats\r\n";
  auto one = [&](const commands::CommandSpec& spec) {
    if (spec.calls == 0 && spec.rejected_calls == 0 && spec.failed_calls == 0) return;
    out += fmt::format(
        "cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls={},failed_calls={}\r\n",
        spec.name, spec.calls, spec.usec,
        spec.calls ? static_cast<double>(spec.usec) / static_cast<double>(spec.calls) : 0.0,
        spec.rejected_calls, spec.failed_calls);
  };
  for (const commands::CommandSpec* spec : s.engine().commands.all()) {
    one(*spec);
    for (const auto& sub : spec->subcommands) one(*sub);
  }
}

void section_keyspace(Server& s, std::string& out) {
  out += "# Keyspace\r\n";
  store::Keyspace& ks = s.engine().keyspace;
  for (size_t i = 0; i < ks.db_count(); ++i) {
    store::Database& db = ks.db(i);
    if (db.size() == 0) continue;
    out += fmt::format("db{}:keys={},expires={},avg_ttl={}\r\n", i, db.size(), db.expires_size(),
                       db.avg_ttl());
  }
}

std::string join_counts(const std::map<std::string, uint64_t, std::less<>>& counts) {
  std::string out;
  for (const auto& [name, count] : counts) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}={}", name, count);
  }
  return out;
}

void section_tls(Server& s, std::string& out) {
  const TlsStats& st = s.tls_stats();
  std::shared_ptr<net::TlsContext> ctx = s.tls_context();
  size_t tls_clients = 0;
  for (const auto& [id, c] : s.clients())
    if (!c->closing() && c->connection().tls_info() != nullptr) ++tls_clients;
  out += "# TLS\r\n";
  out += fmt::format("tls_port:{}\r\ntls_listener:{}\r\n", s.config().tls_port,
                     s.listening_tls_port() > 0 ? "on" : "off");
  out += fmt::format("plaintext_port:{}\r\nplaintext_listener:{}\r\n", s.config().port,
                     s.listening_port() > 0 ? "on" : "off");
  if (ctx) {
    auto cert = [&](const char* role, const net::CertificateSummary& c) {
      out += fmt::format(
          "tls_{0}_cert_file:{1}\r\ntls_{0}_cert_subject:{2}\r\ntls_{0}_cert_issuer:{3}\r\n"
          "tls_{0}_cert_serial:{4}\r\ntls_{0}_cert_not_after:{5}\r\n"
          "tls_{0}_cert_days_until_expiry:{6}\r\n",
          role, c.file, c.subject, c.issuer, c.serial, c.not_after, c.days_until_expiry);
    };
    cert("server", ctx->server_certificate());
    cert("client", ctx->client_certificate());
  }
  out += fmt::format(
      "tls_auto_reload_interval:{}\r\ntls_reloads:{}\r\ntls_reload_failures:{}\r\n"
      "tls_last_reload_time:{}\r\ntls_last_reload_status:{}\r\ntls_last_reload_error:{}\r\n"
      "tls_connected_clients:{}\r\ntls_handshakes_ok:{}\r\ntls_handshake_failures:{}\r\n"
      "tls_handshake_failures_by_reason:{}\r\ntls_connections_by_version:{}\r\n"
      "tls_sessions_resumed:{}\r\ntls_on_plaintext_port:{}\r\n",
      s.config().tls_auto_reload_interval, st.reloads, st.reload_failures, st.last_reload_time,
      st.last_reload_status, st.last_reload_error, tls_clients, st.handshakes_ok,
      st.handshake_failures(), join_counts(st.failures_by_reason),
      join_counts(st.connections_by_version), st.sessions_resumed, st.tls_on_plaintext_port);
}

void section_errorstats(Server& s, std::string& out) {
  out += "# Errorstats\r\n";
  for (const auto& [code, count] : s.engine().stats.errors_by_code)
    out += fmt::format("errorstat_{}:count={}\r\n", code, count);
}
void section_cluster(Server&, std::string& out) { out += "# Cluster\r\ncluster_enabled:0\r\n"; }
void section_modules(Server&, std::string& out) { out += "# Modules\r\n"; }

struct Section {
  const char* name;
  void (*fn)(Server&, std::string&);
  bool in_default;
};

constexpr Section kSections[] = {
    {"server", section_server, true},           {"clients", section_clients, true},
    {"memory", section_memory, true},           {"persistence", section_persistence, true},
    {"stats", section_stats, true},             {"replication", section_replication, true},
    {"cpu", section_cpu, true},                 {"modules", section_modules, true},
    {"commandstats", section_commandstats, false}, {"errorstats", section_errorstats, true},
    {"cluster", section_cluster, true},         {"keyspace", section_keyspace, true},
    {"tls", section_tls, true},
};

}  // namespace

std::string build_info(Server& server, std::string_view request) {
  std::set<std::string> wanted;
  bool all = false, everything = false, defaults = request.empty();
  size_t pos = 0;
  while (pos < request.size()) {
    size_t sp = request.find(' ', pos);
    if (sp == std::string_view::npos) sp = request.size();
    std::string name = to_lower(request.substr(pos, sp - pos));
    if (name == "all") {
      all = true;
    } else if (name == "everything") {
      everything = true;
    } else if (name == "default") {
      defaults = true;
    } else if (!name.empty()) {
      wanted.insert(name);
    }
    pos = sp + 1;
  }
  std::string out;
  for (const Section& section : kSections) {
    bool include = everything || wanted.count(section.name) ||
                   (all && std::string_view(section.name) != "modules") ||
                   (defaults && section.in_default);
    if (!include) continue;
    if (!out.empty()) out += "\r\n";
    section.fn(server, out);
  }
  return out;
}

void register_info_commands(Server& server, commands::CommandTable& t) {
  using namespace commands;
  Server* srv = &server;
  t.add(cmd("info", -1, kLoading | kStale | kSentinel, kAclSlow | kAclDangerous, kNoKeys,
            {"server", "Returns information and statistics about the server.", "1.0.0",
             "O(1)"},
            [srv](CommandContext& ctx) {
              std::string request;
              for (size_t i = 1; i < ctx.argc(); ++i) {
                if (!request.empty()) request += ' ';
                request += std::string(ctx.arg(i));
              }
              ctx.reply.verbatim(build_info(*srv, request));
            }));
}

}  // namespace cachet::server
