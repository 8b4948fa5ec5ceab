#include "net/listener.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"

namespace cachet::net {

namespace {
constexpr int kMaxAcceptsPerEvent = 100;
}  // namespace

class Listener::Socket : public EventHandler {
 public:
  Socket(EventLoop* loop, int fd, AcceptFn* on_accept)
      : loop_(loop), fd_(fd), on_accept_(on_accept) {
    loop_->add(fd_, this, true, false);
  }
  ~Socket() override {
    loop_->remove(fd_);
    ::close(fd_);
  }
  void handle_events(uint32_t) override {
    // Accept a bounded batch so a connection storm cannot starve served clients; the rest wait
    // in the backlog and are reported again on the next iteration.
    for (int i = 0; i < kMaxAcceptsPerEvent; ++i) {
      int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
          CACHET_LOG_WARNING("Accepting client connection: {}", std::strerror(errno));
        }
        return;
      }
      (*on_accept_)(fd);
    }
  }

 private:
  EventLoop* loop_;
  int fd_;
  AcceptFn* on_accept_;
};

bool Listener::open_one(const std::string& spec, int port, int backlog, std::string* error) {
  std::string address = spec;
  bool optional = false;
  if (!address.empty() && address[0] == '-') {
    optional = true;
    address.erase(0, 1);
  }
  bool v6 = address.find(':') != std::string::npos;
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    if (address == "::*") {
      a->sin6_addr = in6addr_any;
    } else if (inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1) {
      *error = fmt::format("Invalid bind address '{}'", spec);
      return false;
    }
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    if (address == "*" || address == "0.0.0.0") {
      a->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (address == "localhost") {
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (inet_pton(AF_INET, address.c_str(), &a->sin_addr) != 1) {
      *error = fmt::format("Invalid bind address '{}'", spec);
      return false;
    }
    len = sizeof(sockaddr_in);
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (optional) return true;
    *error = fmt::format("Could not create server TCP listening socket {}:{}: {}", address, port,
                         std::strerror(errno));
    return false;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // IPv6 sockets only take IPv6, so "*" and "::*" can both be bound on one port.
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, backlog) != 0) {
    int err = errno;
    ::close(fd);
    if (optional && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EPROTONOSUPPORT))
      return true;
    *error = fmt::format("Could not create server TCP listening socket {}:{}: {}",
                         address == "::*" ? "::" : address, port, std::strerror(err));
    return false;
  }
  sockets_.push_back(std::make_unique<Socket>(loop_, fd, &on_accept_));
  return true;
}

bool Listener::open_tcp(const std::vector<std::string>& addresses, int port, int backlog,
                        std::string* error) {
  close();
  for (const std::string& a : addresses) {
    if (!open_one(a, port, backlog, error)) {
      close();
      return false;
    }
  }
  if (sockets_.empty()) {
    *error = fmt::format("Failed listening on port {} (no bind address could be used)", port);
    return false;
  }
  port_ = port;
  return true;
}

bool Listener::open_unix(const std::string& path, int perm, int backlog, std::string* error) {
  close();
  sockaddr_un sa{};
  if (path.size() >= sizeof sa.sun_path) {
    *error = fmt::format("Unix socket path too long: {}", path);
    return false;
  }
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(fd, backlog) != 0) {
    *error = fmt::format("Failed opening Unix socket {}: {}", path, std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return false;
  }
  if (perm != 0) ::chmod(path.c_str(), static_cast<mode_t>(perm));
  sockets_.push_back(std::make_unique<Socket>(loop_, fd, &on_accept_));
  unix_path_ = path;
  return true;
}

Listener::Listener(EventLoop* loop, AcceptFn on_accept)
    : loop_(loop), on_accept_(std::move(on_accept)) {}

Listener::~Listener() { close(); }

void Listener::close() {
  sockets_.clear();
  if (!unix_path_.empty()) {
    ::unlink(unix_path_.c_str());
    unix_path_.clear();
  }
  port_ = 0;
}

}  // namespace cachet::net
