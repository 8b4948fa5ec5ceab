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

CertificateSummary summarize(X509* cert, const std::string& file) {
  return {file, x509_subject(cert), x509_issuer(cert), x509_serial_hex(cert),
          x509_not_after(cert), x509_days_until_expiry(cert)};
}

// Settings shared by the server and client contexts: protocol range, ciphers, CA store.
bool apply_common(SSL_CTX* c, const TlsSettings& s, std::string* error) {
  if (!apply_protocols(c, s.protocols, error)) return false;
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Partial writes and a moving buffer are how a non-blocking server writes replies.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS);
  if (!s.ca_cert_file.empty() || !s.ca_cert_dir.empty()) {
    const char* file = s.ca_cert_file.empty() ? nullptr : s.ca_cert_file.c_str();
    const char* dir = s.ca_cert_dir.empty() ? nullptr : s.ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(c, file, dir) != 1) {
      *error = fmt::format("TLS: cannot load CA certificates from {} ({})", file ? file : dir,
                           openssl_error());
      return false;
    }
  }
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(c, s.ciphers.c_str()) != 1) {
    *error = fmt::format("TLS: invalid tls-ciphers '{}' ({})", s.ciphers, openssl_error());
    return false;
  }
  if (!s.ciphersuites.empty() && SSL_CTX_set_ciphersuites(c, s.ciphersuites.c_str()) != 1) {
    *error = fmt::format("TLS: invalid tls-ciphersuites '{}' ({})", s.ciphersuites,
                         openssl_error());
    return false;
  }
  return true;
}

bool use_pair(SSL_CTX* c, const std::string& cert_file, EVP_PKEY* key, std::string* error) {
  // The chain file may carry intermediates after the leaf.
  if (SSL_CTX_use_certificate_chain_file(c, cert_file.c_str()) != 1) {
    *error = fmt::format("TLS: certificate file {} is malformed ({})", cert_file, openssl_error());
    return false;
  }
  if (SSL_CTX_use_PrivateKey(c, key) != 1) {
    *error = fmt::format("TLS: private key for {} cannot be used ({})", cert_file,
                         openssl_error());
    return false;
  }
  return true;
}

// Loads and cross-checks one certificate/key pair.
bool load_pair(const std::string& cert_file, const std::string& key_file,
               const std::string& pass, X509Ptr* cert, PkeyPtr* key, std::string* error) {
  *cert = load_certificate(cert_file, error);
  if (!*cert) return false;
  *key = load_private_key(key_file, pass, error);
  if (!*key) return false;
  return key_matches_certificate(cert->get(), key->get(), cert_file, key_file, error);
}

}  // namespace

TlsContext::~TlsContext() {
  if (server_ != nullptr) SSL_CTX_free(server_);
  if (client_ != nullptr) SSL_CTX_free(client_);
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
  X509Ptr cert;
  PkeyPtr key;
  if (!load_pair(s.cert_file, s.key_file, s.key_pass, &cert, &key, error)) return nullptr;
  bool has_ca = !s.ca_cert_file.empty() || !s.ca_cert_dir.empty();
  if (!s.ca_cert_file.empty() && !check_ca_file(s.ca_cert_file, error)) return nullptr;
  if (!s.ca_cert_dir.empty() && !check_ca_dir(s.ca_cert_dir, error)) return nullptr;
  if (!has_ca && s.client_auth != ClientAuth::kNone) {
    *error = "TLS: tls-ca-cert-file or tls-ca-cert-dir must be set to verify clients "
             "(or set tls-auth-clients no)";
    return nullptr;
  }
  if (has_ca && !chains_to_ca(cert.get(), s.cert_file, s.ca_cert_file, s.ca_cert_dir, error)) {
    return nullptr;
  }
  // The pair presented on outgoing connections: its own files when set, else the server's.
  X509Ptr client_cert;
  PkeyPtr client_key;
  bool own_client_pair = !s.client_cert_file.empty() || !s.client_key_file.empty();
  if (own_client_pair) {
    if (s.client_cert_file.empty() || s.client_key_file.empty()) {
      *error = "TLS: tls-client-cert-file and tls-client-key-file must be set together";
      return nullptr;
    }
    if (!load_pair(s.client_cert_file, s.client_key_file, s.client_key_pass, &client_cert,
                   &client_key, error)) {
      return nullptr;
    }
    if (has_ca && !chains_to_ca(client_cert.get(), s.client_cert_file, s.ca_cert_file,
                                s.ca_cert_dir, error)) {
      return nullptr;
    }
  }

  std::shared_ptr<TlsContext> ctx(new TlsContext());
  ctx->settings_ = s;
  ctx->server_cert_ = summarize(cert.get(), s.cert_file);
  ctx->client_cert_ = own_client_pair ? summarize(client_cert.get(), s.client_cert_file)
                                      : ctx->server_cert_;
  SSL_CTX* c = SSL_CTX_new(TLS_server_method());
  SSL_CTX* out = SSL_CTX_new(TLS_client_method());
  ctx->server_ = c;
  ctx->client_ = out;
  if (c == nullptr || out == nullptr) {
    *error = "TLS: cannot create an SSL context: " + openssl_error();
    return nullptr;
  }
  if (!apply_common(c, s, error) || !apply_common(out, s, error)) return nullptr;
  if (!use_pair(c, s.cert_file, key.get(), error)) return nullptr;
  if (own_client_pair ? !use_pair(out, s.client_cert_file, client_key.get(), error)
                      : !use_pair(out, s.cert_file, key.get(), error)) {
    return nullptr;
  }
  if (s.prefer_server_ciphers) SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_verify(out, has_ca ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
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
