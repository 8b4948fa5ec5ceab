#include "net/tls_material.h"

#include <dirent.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cachet::net {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

// Opens a file for PEM reading, or explains why not (missing, unreadable, empty, a directory).
FilePtr open_pem(const std::string& path, const char* what, std::string* error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    *error = fmt::format("TLS: cannot read {} file {}: {}", what, path, std::strerror(errno));
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    *error = fmt::format("TLS: {} file {} is a directory", what, path);
    return nullptr;
  }
  if (st.st_size == 0) {
    *error = fmt::format("TLS: {} file {} is empty", what, path);
    return nullptr;
  }
  FilePtr f(std::fopen(path.c_str(), "r"));
  if (!f) {
    *error = fmt::format("TLS: cannot read {} file {}: {}", what, path, std::strerror(errno));
  }
  return f;
}

std::string with_detail(std::string message) {
  std::string detail = openssl_error();
  if (!detail.empty()) message += " (" + detail + ")";
  return message;
}

std::string asn1_time_text(const ASN1_TIME* t) {
  BIO* bio = BIO_new(BIO_s_mem());
  ASN1_TIME_print(bio, t);
  char* data;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

int passphrase_callback(char* buf, int size, int, void* userdata) {
  const auto* pass = static_cast<const std::string*>(userdata);
  if (pass == nullptr || pass->empty()) return 0;
  int n = std::min(size - 1, static_cast<int>(pass->size()));
  std::memcpy(buf, pass->data(), n);
  buf[n] = '\0';
  return n;
}

std::string name_oneline(X509_NAME* name) {
  if (name == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

}  // namespace

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

X509Ptr load_certificate(const std::string& path, std::string* error) {
  FilePtr f = open_pem(path, "certificate", error);
  if (!f) return nullptr;
  ERR_clear_error();
  X509Ptr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    *error = with_detail(
        fmt::format("TLS: certificate file {} is malformed: no valid PEM certificate", path));
    return nullptr;
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0) {
    *error = fmt::format("TLS: certificate {} is not yet valid (notBefore {})", path,
                         asn1_time_text(X509_get0_notBefore(cert.get())));
    return nullptr;
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    *error = fmt::format("TLS: certificate {} has expired (notAfter {})", path,
                         asn1_time_text(X509_get0_notAfter(cert.get())));
    return nullptr;
  }
  return cert;
}

PkeyPtr load_private_key(const std::string& path, const std::string& passphrase,
                         std::string* error) {
  FilePtr f = open_pem(path, "private key", error);
  if (!f) return nullptr;
  ERR_clear_error();
  PkeyPtr key(PEM_read_PrivateKey(f.get(), nullptr, passphrase_callback,
                                  const_cast<std::string*>(&passphrase)));
  if (!key) {
    *error = with_detail(fmt::format(
        "TLS: private key file {} is malformed or its passphrase (tls-key-file-pass) is wrong",
        path));
  }
  return key;
}

bool check_ca_file(const std::string& path, std::string* error) {
  FilePtr f = open_pem(path, "CA certificate", error);
  if (!f) return false;
  ERR_clear_error();
  X509Ptr first(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!first) {
    *error = with_detail(
        fmt::format("TLS: CA certificate file {} is malformed: no valid PEM certificate", path));
    return false;
  }
  return true;
}

bool check_ca_dir(const std::string& path, std::string* error) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    *error = fmt::format("TLS: cannot read CA certificate directory {}: {}", path,
                         std::strerror(errno));
    return false;
  }
  bool any = false;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') any = true;
  }
  ::closedir(dir);
  if (!any) {
    *error = fmt::format("TLS: CA certificate directory {} is empty", path);
    return false;
  }
  return true;
}

bool key_matches_certificate(X509* cert, EVP_PKEY* key, const std::string& cert_path,
                             const std::string& key_path, std::string* error) {
  ERR_clear_error();
  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    *error = fmt::format("TLS: private key {} does not match certificate {}", key_path, cert_path);
    return false;
  }
  return true;
}

bool chains_to_ca(X509* cert, const std::string& cert_path, const std::string& ca_file,
                  const std::string& ca_dir, std::string* error) {
  X509_STORE* store = X509_STORE_new();
  const char* file = ca_file.empty() ? nullptr : ca_file.c_str();
  const char* dir = ca_dir.empty() ? nullptr : ca_dir.c_str();
  std::string where = file ? ca_file : ca_dir;
  ERR_clear_error();
  if (X509_STORE_load_locations(store, file, dir) != 1) {
    X509_STORE_free(store);
    *error = with_detail(fmt::format("TLS: cannot load CA certificates from {}", where));
    return false;
  }
  // Intermediates are the certificates after the leaf in the certificate file.
  STACK_OF(X509)* chain = sk_X509_new_null();
  if (FilePtr f{std::fopen(cert_path.c_str(), "r")}) {
    X509_free(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));  // the leaf itself
    while (X509* extra = PEM_read_X509(f.get(), nullptr, nullptr, nullptr))
      sk_X509_push(chain, extra);
    ERR_clear_error();  // reading past the last certificate is not an error
  }
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, chain);
  bool ok = X509_verify_cert(ctx) == 1;
  if (!ok) {
    *error = fmt::format("TLS: certificate {} is not signed by a CA in {}: {}", cert_path, where,
                         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
  }
  X509_STORE_CTX_free(ctx);
  sk_X509_pop_free(chain, X509_free);
  X509_STORE_free(store);
  ERR_clear_error();
  return ok;
}

int x509_days_until_expiry(X509* cert) {
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert));
  return days;
}

std::string x509_subject(X509* cert) { return name_oneline(X509_get_subject_name(cert)); }
std::string x509_issuer(X509* cert) { return name_oneline(X509_get_issuer_name(cert)); }

std::string x509_serial_hex(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string x509_not_after(X509* cert) { return asn1_time_text(X509_get0_notAfter(cert)); }

std::string x509_sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

std::string x509_subject_alt_names(X509* cert) {
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return "";
  std::string out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    std::string item;
    if (n->type == GEN_DNS || n->type == GEN_EMAIL || n->type == GEN_URI) {
      const auto* s = n->d.ia5;
      std::string prefix = n->type == GEN_DNS ? "DNS:" : n->type == GEN_EMAIL ? "email:" : "URI:";
      item = prefix + std::string(reinterpret_cast<const char*>(s->data), s->length);
    } else if (n->type == GEN_IPADD) {
      const auto* ip = n->d.ip;
      if (ip->length == 4) {
        item = fmt::format("IP:{}.{}.{}.{}", ip->data[0], ip->data[1], ip->data[2], ip->data[3]);
      } else {
        item = "IP:(v6)";
      }
    }
    if (item.empty()) continue;
    if (!out.empty()) out += ",";
    out += item;
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace cachet::net
