#pragma once
// Plain TCP or unix-socket connection: read and write map straight to the socket.
#include "net/connection.h"

namespace cachet::net {

class TcpConnection : public Connection {
 public:
  TcpConnection(EventLoop* loop, int fd, bool unix_socket)
      : Connection(loop, fd), unix_(unix_socket) {}

  ssize_t read(char* buf, size_t len) override;
  ssize_t write(const char* buf, size_t len) override;
  std::string_view transport() const override { return unix_ ? "unix" : "tcp"; }
  void handle_events(uint32_t events) override;

 private:
  bool unix_;
};

}  // namespace cachet::net
