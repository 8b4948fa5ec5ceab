#pragma once
// A validated, ready-to-use OpenSSL context built from the tls-* settings. Contexts are
// immutable and shared: a reload builds a new one and swaps the pointer, so connections that
// started on the old context keep it until they close.
#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace cachet::net {

enum class ClientAuth { kNone, kRequired, kOptional };

struct TlsSettings {
  std::string cert_file;
  std::string key_file;
  std::string key_pass;
  std::string client_cert_file;  // outgoing connections; the server pair when empty
  std::string client_key_file;
  std::string client_key_pass;
  std::string ca_cert_file;
  std::string ca_cert_dir;
  std::string dh_params_file;
  ClientAuth client_auth = ClientAuth::kRequired;
  std::string protocols;  // "TLSv1.2 TLSv1.3"; empty = both
  std::string ciphers;
  std::string ciphersuites;
  bool prefer_server_ciphers = false;
  bool session_caching = true;
  long session_cache_size = 20 * 1024;
  long session_cache_timeout = 300;
};

struct CertificateSummary {
  std::string file;
  std::string subject;
  std::string issuer;
  std::string serial;
  std::string not_after;
  int days_until_expiry = 0;
};

class TlsContext {
 public:
  // Loads and validates everything; nullptr with a message naming the file and fault.
  static std::shared_ptr<TlsContext> create(const TlsSettings& settings, std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* server_ctx() const { return server_; }
  // For outgoing connections (replication): presents tls-client-cert-file, or the server pair.
  SSL_CTX* client_ctx() const { return client_; }
  const CertificateSummary& server_certificate() const { return server_cert_; }
  const CertificateSummary& client_certificate() const { return client_cert_; }
  const TlsSettings& settings() const { return settings_; }

 private:
  TlsContext() = default;

  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
  TlsSettings settings_;
  CertificateSummary server_cert_;
  CertificateSummary client_cert_;
};

}  // namespace cachet::net
