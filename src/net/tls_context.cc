#include "net/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>

#include <sstream>

#include "net/tls_material.h"

namespace cachet::net {
namespace {

// "TLSv1.2 TLSv1.3" -> min/max protocol versions, as Valkey interprets tls-protocols.
bool apply_protocols(SSL_CTX* ctx, const std::string& protocols, std::string* error) {
  int min = TLS1_2_VERSION, max = TLS1_3_VERSION;
  if (!protocols.empty()) {
    min = 0;
    max = 0;
    std::istringstream in(protocols);
    for (std::string p; in >> p;) {
      int v;
      if (p == "TLSv1") {
        v = TLS1_VERSION;
      } else if (p == "TLSv1.1") {
        v = TLS1_1_VERSION;
      } else if (p == "TLSv1.2") {
        v = TLS1_2_VERSION;
      } else if (p == "TLSv1.3") {
        v = TLS1_3_VERSION;
      } else {
        *error = fmt::format("TLS: invalid tls-protocols value '{}'", p);
        return false;
      }
      if (min == 0 || v < min) min = v;
      if (v > max) max = v;
    }
    if (min == 0) {
      *error = "TLS: tls-protocols names no protocol";
      return false;
    }
  }
  SSL_CTX_set_min_proto_version(ctx, min);
  SSL_CTX_set_max_proto_version(ctx, max);
  return true;
}

}  // namespace

TlsContext::~TlsContext() {
  if (server_ != nullptr) SSL_CTX_free(server_);
}

std::shared_ptr<TlsContext> TlsContext::create(const TlsSettings& s, std::string* error) {
  if (s.cert_file.empty()) {
    *error = "TLS: tls-cert-file is not set";
    return nullptr;
  }
  if (s.key_file.empty()) {
    *error = "TLS: tls-key-file is not set";
    return nullptr;
  }
  X509Ptr cert = load_certificate(s.cert_file, error);
  if (!cert) return nullptr;
  PkeyPtr key = load_private_key(s.key_file, s.key_pass, error);
  if (!key) return nullptr;
  if (!key_matches_certificate(cert.get(), key.get(), s.cert_file, s.key_file, error))
    return nullptr;
  if (!s.ca_cert_file.empty() && !check_ca_file(s.ca_cert_file, error)) return nullptr;
  if (!s.ca_cert_dir.empty() && !check_ca_dir(s.ca_cert_dir, error)) return nullptr;
  if (s.ca_cert_file.empty() && s.ca_cert_dir.empty() && s.client_auth != ClientAuth::kNone) {
    *error = "TLS: tls-ca-cert-file or tls-ca-cert-dir must be set to verify clients "
             "(or set tls-auth-clients no)";
    return nullptr;
  }

  std::shared_ptr<TlsContext> ctx(new TlsContext());
  ctx->settings_ = s;
  ctx->server_cert_ = {x509_subject(cert.get()), x509_issuer(cert.get()),
                       x509_serial_hex(cert.get()), x509_not_after(cert.get())};
  SSL_CTX* c = SSL_CTX_new(TLS_server_method());
  ctx->server_ = c;
  if (c == nullptr) {
    *error = "TLS: cannot create an SSL context: " + openssl_error();
    return nullptr;
  }
  if (!apply_protocols(c, s.protocols, error)) return nullptr;
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (s.prefer_server_ciphers) SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Partial writes and a moving buffer are how a non-blocking server writes replies.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS);

  // The chain file may carry intermediates after the leaf.
  if (SSL_CTX_use_certificate_chain_file(c, s.cert_file.c_str()) != 1) {
    *error = fmt::format("TLS: certificate file {} is malformed ({})", s.cert_file,
                         openssl_error());
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey(c, key.get()) != 1) {
    *error = fmt::format("TLS: private key {} cannot be used ({})", s.key_file, openssl_error());
    return nullptr;
  }
  if (!s.ca_cert_file.empty() || !s.ca_cert_dir.empty()) {
    const char* file = s.ca_cert_file.empty() ? nullptr : s.ca_cert_file.c_str();
    const char* dir = s.ca_cert_dir.empty() ? nullptr : s.ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(c, file, dir) != 1) {
      *error = fmt::format("TLS: cannot load CA certificates from {} ({})",
                           file ? file : dir, openssl_error());
      return nullptr;
    }
  }
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(c, s.ciphers.c_str()) != 1) {
    *error = fmt::format("TLS: invalid tls-ciphers '{}' ({})", s.ciphers, openssl_error());
    return nullptr;
  }
  if (!s.ciphersuites.empty() && SSL_CTX_set_ciphersuites(c, s.ciphersuites.c_str()) != 1) {
    *error = fmt::format("TLS: invalid tls-ciphersuites '{}' ({})", s.ciphersuites,
                         openssl_error());
    return nullptr;
  }
  switch (s.client_auth) {
    case ClientAuth::kNone: SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr); break;
    case ClientAuth::kOptional: SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr); break;
    case ClientAuth::kRequired:
      SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  static const unsigned char kSessionContext[] = "cachet";
  SSL_CTX_set_session_id_context(c, kSessionContext, sizeof kSessionContext - 1);
  if (s.session_caching) {
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(c, s.session_cache_size);
    SSL_CTX_set_timeout(c, s.session_cache_timeout);
  } else {
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  }
  return ctx;
}

}  // namespace cachet::net
