#pragma once
// What INFO tls reports about handshakes and reloads.
#include <cstdint>
#include <map>
#include <string>

namespace cachet::server {

struct TlsStats {
  uint64_t handshakes_ok = 0;
  uint64_t sessions_resumed = 0;
  std::map<std::string, uint64_t, std::less<>> failures_by_reason;
  std::map<std::string, uint64_t, std::less<>> connections_by_version;
  uint64_t reloads = 0;          // contexts swapped in after the first load
  uint64_t reload_failures = 0;  // new material refused (the old kept serving)
  int64_t last_reload_time = 0;  // unix seconds of the last load attempt
  std::string last_reload_status = "ok";
  std::string last_reload_error;
  uint64_t plaintext_on_tls_port = 0;
  uint64_t tls_on_plaintext_port = 0;
  int64_t last_expiry_check_ms = 0;

  uint64_t handshake_failures() const {
    uint64_t n = 0;
    for (const auto& [reason, count] : failures_by_reason) n += count;
    return n;
  }
  void count_failure(std::string_view reason) {
    auto it = failures_by_reason.find(reason);
    if (it == failures_by_reason.end()) {
      failures_by_reason.emplace(std::string(reason), 1);
    } else {
      ++it->second;
    }
  }
};

}  // namespace cachet::server
