// The Server's TLS bookkeeping: background reload results, handshake statistics and the
// daily certificate-expiry warning.
#include <fmt/format.h>

#include "common/clock.h"
#include "common/log.h"
#include "server/server.h"

namespace cachet::server {
namespace {
constexpr int kExpiryWarningDays = 14;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
}  // namespace

void Server::count_tls_handshake(const net::Connection& conn) {
  const net::TlsPeerInfo* info = conn.tls_info();
  if (info == nullptr) return;
  ++tls_stats_.handshakes_ok;
  if (info->resumed) ++tls_stats_.sessions_resumed;
  auto it = tls_stats_.connections_by_version.find(info->version);
  if (it == tls_stats_.connections_by_version.end()) {
    tls_stats_.connections_by_version.emplace(info->version, 1);
  } else {
    ++it->second;
  }
}

void Server::count_tls_handshake_failure(std::string_view reason) {
  tls_stats_.count_failure(reason);
}

// Runs on the loop with what the background reloader built from changed files.
void Server::on_tls_reload(std::shared_ptr<net::TlsContext> next, const std::string& error) {
  tls_stats_.last_reload_time = now_ms() / 1000;
  if (!next) {
    ++tls_stats_.reload_failures;
    tls_stats_.last_reload_status = "failed";
    tls_stats_.last_reload_error = error;
    CACHET_LOG_WARNING("TLS material changed on disk but was refused, still serving the previous "
                       "certificate: {}", error);
    return;
  }
  tls_ = std::move(next);
  ++tls_stats_.reloads;
  tls_stats_.last_reload_status = "ok";
  tls_stats_.last_reload_error.clear();
  CACHET_LOG_NOTICE("TLS material reloaded from disk: {} (serial {}, expires {})",
                    tls_->server_certificate().subject, tls_->server_certificate().serial,
                    tls_->server_certificate().not_after);
  warn_if_certificates_expire(now_ms());
}

void Server::warn_if_certificates_expire(int64_t now_ms) {
  tls_stats_.last_expiry_check_ms = now_ms;
  if (!tls_) return;
  for (const net::CertificateSummary* cert :
       {&tls_->server_certificate(), &tls_->client_certificate()}) {
    if (cert->days_until_expiry < kExpiryWarningDays) {
      CACHET_LOG_WARNING("TLS certificate {} ({}) expires in {} days, on {}", cert->file,
                         cert->subject, cert->days_until_expiry, cert->not_after);
    }
    if (cert->file == tls_->server_certificate().file && cert != &tls_->server_certificate())
      break;  // the client pair is the server pair: one warning is enough
  }
}

void Server::tls_cron(int64_t now_ms) {
  if (now_ms - tls_stats_.last_expiry_check_ms >= kDayMs) warn_if_certificates_expire(now_ms);
}

}  // namespace cachet::server
