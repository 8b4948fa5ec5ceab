#pragma once
// One client (or peer) connection, whatever the transport. Everything above this interface is
// transport-agnostic: the server reads requests and writes replies the same way over TCP, unix
// sockets and TLS, and so will replication and the tools.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "net/event_loop.h"

namespace cachet::net {

// What the owner of a connection is told.
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual void on_readable() = 0;  // read() may return data
  virtual void on_writable() = 0;  // write() may accept data
  // The transport failed on its own (e.g. a TLS handshake was refused); close the connection.
  virtual void on_transport_error(std::string_view reason) = 0;
  // A TLS handshake completed (for statistics); application data may follow.
  virtual void on_tls_established() {}
};

// Verified details of a TLS session, for CLIENT LIST/INFO and (later) ACL mapping.
struct TlsPeerInfo {
  std::string version;          // "TLSv1.3"
  std::string cipher;
  std::string peer_subject;     // empty when the client sent no certificate
  std::string peer_fingerprint; // SHA-256, hex
  std::string peer_sans;        // comma-separated subjectAltNames
  bool resumed = false;
};

class Connection : public EventHandler {
 public:
  // read/write results besides a byte count.
  static constexpr ssize_t kWouldBlock = -1;
  static constexpr ssize_t kError = -2;

  Connection(EventLoop* loop, int fd) : loop_(loop), fd_(fd) {}
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void set_owner(ConnectionOwner* owner) { owner_ = owner; }
  // Registers with the loop; call once the owner is set.
  bool start();

  // > 0 bytes; 0 when the peer closed; kWouldBlock; kError (see last_error()).
  virtual ssize_t read(char* buf, size_t len) = 0;
  virtual ssize_t write(const char* buf, size_t len) = 0;
  // Bytes already decrypted and waiting in the transport (TLS), which epoll cannot see.
  virtual bool has_pending_input() const { return false; }
  // Still negotiating (TLS handshake); requests cannot flow yet.
  virtual bool handshaking() const { return false; }
  virtual std::string_view transport() const = 0;  // "tcp", "unix", "tls"
  virtual const TlsPeerInfo* tls_info() const { return nullptr; }
  // Why a TLS handshake failed, as a short label for INFO ("no_client_certificate", ...).
  virtual std::string_view handshake_failure() const { return {}; }

  void want_read(bool on);
  void want_write(bool on);
  bool wants_write() const { return want_write_; }

  int fd() const { return fd_; }
  const std::string& last_error() const { return last_error_; }
  const std::string& peer_address() const { return peer_; }
  const std::string& local_address() const { return local_; }
  bool peer_is_loopback() const { return loopback_; }
  void set_addresses(std::string peer, std::string local, bool loopback) {
    peer_ = std::move(peer);
    local_ = std::move(local);
    loopback_ = loopback;
  }

 protected:
  // Transports that need other readiness than their owner asked for (TLS renegotiation,
  // handshakes) override this to add to it.
  virtual void update_interest();
  void register_interest(bool readable, bool writable);

  EventLoop* loop_;
  int fd_;
  ConnectionOwner* owner_ = nullptr;
  bool want_read_ = false;
  bool want_write_ = false;
  bool registered_ = false;
  bool reg_read_ = false;
  bool reg_write_ = false;
  std::string last_error_;
  std::string peer_;
  std::string local_;
  bool loopback_ = false;
};

}  // namespace cachet::net
