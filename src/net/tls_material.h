#pragma once
// Loading and validating TLS files with one clear message per fault, naming the file:
// missing, empty, malformed, key not matching its certificate, certificate expired or not yet
// valid. OpenSSL's own errors are appended for detail but never stand alone, because
// "PEM routines::no start line" tells an operator nothing about which file is wrong.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace cachet::net {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// Reads the first certificate of a PEM file and checks its validity period.
X509Ptr load_certificate(const std::string& path, std::string* error);
PkeyPtr load_private_key(const std::string& path, const std::string& passphrase,
                         std::string* error);
// Checks that `path` holds at least one well-formed PEM certificate.
bool check_ca_file(const std::string& path, std::string* error);
bool check_ca_dir(const std::string& path, std::string* error);
bool key_matches_certificate(X509* cert, EVP_PKEY* key, const std::string& cert_path,
                             const std::string& key_path, std::string* error);
// Checks that `cert` (with any intermediates that follow it in its file) chains to a CA in
// ca_file / ca_dir.
bool chains_to_ca(X509* cert, const std::string& cert_path, const std::string& ca_file,
                  const std::string& ca_dir, std::string* error);

// "CN=localhost,O=Cachet" style one-line forms and other facts for INFO and CLIENT LIST.
std::string x509_subject(X509* cert);
std::string x509_issuer(X509* cert);
std::string x509_serial_hex(X509* cert);
std::string x509_not_after(X509* cert);
// Whole days from now until notAfter (negative once expired).
int x509_days_until_expiry(X509* cert);
std::string x509_sha256_fingerprint(X509* cert);
std::string x509_subject_alt_names(X509* cert);
// Most recent OpenSSL error queue entry, or "" (and clears the queue).
std::string openssl_error();

}  // namespace cachet::net
