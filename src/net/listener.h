#pragma once
// Listening sockets for one port on every bind address (or one unix socket). Accepted
// descriptors are handed to the callback already non-blocking; the server decides whether
// they become TCP or TLS connections.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/event_loop.h"

namespace cachet::net {

class Listener {
 public:
  using AcceptFn = std::function<void(int fd)>;

  Listener(EventLoop* loop, AcceptFn on_accept);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds every address ("*" = all IPv4, "::*" = all IPv6, a leading "-" = skip if it cannot
  // be bound). Fails with a message naming the address when a required one cannot be bound.
  bool open_tcp(const std::vector<std::string>& addresses, int port, int backlog,
                std::string* error);
  bool open_unix(const std::string& path, int perm, int backlog, std::string* error);
  void close();
  bool is_open() const { return !sockets_.empty(); }
  int port() const { return port_; }

 private:
  class Socket;
  bool open_one(const std::string& address, int port, int backlog, std::string* error);

  EventLoop* loop_;
  AcceptFn on_accept_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::string unix_path_;
  int port_ = 0;
};

}  // namespace cachet::net
