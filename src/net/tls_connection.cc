#include "net/tls_connection.h"

#include <openssl/err.h>
#include <cstring>
#include <sys/epoll.h>

#include "common/clock.h"
#include "net/tls_material.h"

namespace cachet::net {

namespace {

// Buckets for INFO: what operators act on, not OpenSSL's hundreds of reason codes.
std::string_view classify_handshake_failure(int ssl_error, unsigned long code) {
  if (code == 0) return ssl_error == SSL_ERROR_SYSCALL ? "peer_closed" : "other";
  int reason = ERR_GET_REASON(code);
  switch (reason) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: return "no_client_certificate";
    case SSL_R_CERTIFICATE_VERIFY_FAILED: return "certificate_verify_failed";
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_UNKNOWN_PROTOCOL: return "not_tls";
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_VERSION_TOO_LOW: return "protocol_version";
    case SSL_R_NO_SHARED_CIPHER: return "no_shared_cipher";
    default: break;
  }
  // Alerts the peer sent (it rejected our certificate, say) carry reason codes above 1000.
  if (reason >= SSL_AD_REASON_OFFSET) return "peer_alert";
  return "other";
}

}  // namespace

TlsConnection::TlsConnection(EventLoop* loop, int fd, std::shared_ptr<TlsContext> context,
                             HandshakeBudget* budget)
    : Connection(loop, fd), context_(std::move(context)), budget_(budget) {
  ssl_ = SSL_new(context_->server_ctx());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd) != 1) {
    state_ = State::kFailed;
    last_error_ = "cannot create TLS state: " + openssl_error();
    return;
  }
  SSL_set_accept_state(ssl_);
}

TlsConnection::~TlsConnection() {
  if (deferred_) budget_->forget(this);
  if (ssl_ != nullptr) {
    // A quiet close: a shutdown alert is a courtesy, never worth blocking for.
    if (state_ == State::kOpen) SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
}

void TlsConnection::update_interest() {
  if (deferred_) return;  // events stay off until the budget resumes the handshake
  if (state_ == State::kHandshake) {
    register_interest(!handshake_wants_write_, handshake_wants_write_);
    return;
  }
  register_interest(want_read_ || write_wants_read_, want_write_ || read_wants_write_);
}

void TlsConnection::handle_events(uint32_t events) {
  if (owner_ == nullptr) return;
  if (state_ == State::kHandshake) {
    if (deferred_) return;
    if (budget_ != nullptr && budget_->exhausted()) {
      // Over budget: the bytes stay in the socket and the budget resumes us later.
      deferred_ = true;
      register_interest(false, false);
      budget_->defer(this);
      return;
    }
    timed_handshake_step();
    return;
  }
  if (state_ == State::kFailed) return;
  bool readable = events & (EPOLLIN | EPOLLERR | EPOLLHUP);
  bool writable = events & (EPOLLOUT | EPOLLERR | EPOLLHUP);
  if ((readable && want_read_) || (writable && read_wants_write_)) {
    owner_->on_readable();
    // Records already decrypted inside OpenSSL produce no epoll event: drain them now.
    int rounds = 0;
    while (want_read_ && has_pending_input() && ++rounds < 64) owner_->on_readable();
  }
  if ((writable && want_write_) || (readable && write_wants_read_)) owner_->on_writable();
  if (!want_read_ && !want_write_ && (events & (EPOLLERR | EPOLLHUP))) {
    owner_->on_transport_error("connection closed by peer");
  }
}

void TlsConnection::timed_handshake_step() {
  int64_t start = budget_ != nullptr ? monotonic_us() : 0;
  continue_handshake();
  if (budget_ != nullptr) budget_->charge(monotonic_us() - start);
}

void TlsConnection::resume_handshake() {
  deferred_ = false;
  timed_handshake_step();
}

void TlsConnection::continue_handshake() {
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    on_handshake_done();
    return;
  }
  int err = SSL_get_error(ssl_, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    handshake_wants_write_ = err == SSL_ERROR_WANT_WRITE;
    update_interest();
    return;
  }
  state_ = State::kFailed;
  failure_ = classify_handshake_failure(err, ERR_peek_error());
  std::string detail = openssl_error();
  if (detail.empty()) detail = err == SSL_ERROR_SYSCALL ? "connection closed during handshake"
                                                        : "handshake failed";
  long verify = SSL_get_verify_result(ssl_);
  if (verify != X509_V_OK) detail += std::string(": ") + X509_verify_cert_error_string(verify);
  last_error_ = "TLS handshake failed: " + detail;
  register_interest(false, false);
  owner_->on_transport_error(last_error_);
}

void TlsConnection::on_handshake_done() {
  state_ = State::kOpen;
  info_.version = SSL_get_version(ssl_);
  info_.cipher = SSL_get_cipher_name(ssl_);
  info_.resumed = SSL_session_reused(ssl_) == 1;
  if (X509* peer = SSL_get1_peer_certificate(ssl_)) {
    info_.peer_subject = x509_subject(peer);
    info_.peer_fingerprint = x509_sha256_fingerprint(peer);
    info_.peer_sans = x509_subject_alt_names(peer);
    X509_free(peer);
  }
  owner_->on_tls_established();
  update_interest();
  // The client may have sent its first request together with the handshake's last flight.
  if (want_read_) {
    owner_->on_readable();
    int rounds = 0;
    while (want_read_ && has_pending_input() && ++rounds < 64) owner_->on_readable();
  }
}

ssize_t TlsConnection::classify(int ret, bool reading) {
  int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      if (!reading) write_wants_read_ = true;
      update_interest();
      return kWouldBlock;
    case SSL_ERROR_WANT_WRITE:
      if (reading) read_wants_write_ = true;
      update_interest();
      return kWouldBlock;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        last_error_ = errno != 0 ? std::strerror(errno) : "connection closed by peer";
        return errno != 0 ? kError : 0;
      }
      [[fallthrough]];
    default:
      last_error_ = "TLS error: " + openssl_error();
      return kError;
  }
}

ssize_t TlsConnection::read(char* buf, size_t len) {
  if (state_ != State::kOpen) return state_ == State::kHandshake ? kWouldBlock : kError;
  ERR_clear_error();
  errno = 0;
  if (read_wants_write_) {
    read_wants_write_ = false;
    update_interest();
  }
  int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return n;
  return classify(n, true);
}

ssize_t TlsConnection::write(const char* buf, size_t len) {
  if (state_ != State::kOpen) return state_ == State::kHandshake ? kWouldBlock : kError;
  if (len == 0) return 0;
  ERR_clear_error();
  errno = 0;
  if (write_wants_read_) {
    write_wants_read_ = false;
    update_interest();
  }
  int n = SSL_write(ssl_, buf, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return n;
  ssize_t r = classify(n, false);
  return r == 0 ? kError : r;
}

bool TlsConnection::has_pending_input() const {
  return state_ == State::kOpen && SSL_pending(ssl_) > 0;
}

}  // namespace cachet::net
