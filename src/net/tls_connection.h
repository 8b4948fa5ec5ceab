#pragma once
// A TLS connection over a non-blocking socket. The handshake runs inside the connection; the
// owner only hears on_readable() once application data can flow. OpenSSL may need the opposite
// readiness of what the owner asked for (SSL_read wanting a write, SSL_write wanting a read);
// the connection tracks that and maps the socket events back to the owner's callbacks.
#include <openssl/ssl.h>

#include <memory>

#include "net/connection.h"
#include "net/handshake_budget.h"
#include "net/tls_context.h"

namespace cachet::net {

class TlsConnection : public Connection {
 public:
  // `budget` (may be null) is shared by all connections of the loop.
  TlsConnection(EventLoop* loop, int fd, std::shared_ptr<TlsContext> context,
                HandshakeBudget* budget = nullptr);
  ~TlsConnection() override;

  ssize_t read(char* buf, size_t len) override;
  ssize_t write(const char* buf, size_t len) override;
  bool has_pending_input() const override;
  bool handshaking() const override { return state_ == State::kHandshake; }
  std::string_view transport() const override { return "tls"; }
  const TlsPeerInfo* tls_info() const override { return &info_; }
  std::string_view handshake_failure() const override { return failure_; }
  void handle_events(uint32_t events) override;
  // Continues a handshake the budget deferred.
  void resume_handshake();

 protected:
  void update_interest() override;

 private:
  enum class State { kHandshake, kOpen, kFailed };
  void continue_handshake();
  void timed_handshake_step();
  void on_handshake_done();
  // Maps an SSL_* failure to the connection's results and remembered readiness needs.
  ssize_t classify(int ret, bool reading);

  std::shared_ptr<TlsContext> context_;  // keeps a reloaded-away context alive for this conn
  HandshakeBudget* budget_;
  SSL* ssl_ = nullptr;
  State state_ = State::kHandshake;
  bool handshake_wants_write_ = false;
  bool deferred_ = false;  // queued in the budget, socket events off
  bool read_wants_write_ = false;   // SSL_read returned WANT_WRITE
  bool write_wants_read_ = false;   // SSL_write returned WANT_READ
  TlsPeerInfo info_;
  std::string_view failure_;
};

}  // namespace cachet::net
