#include "net/tcp_connection.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cachet::net {

ssize_t TcpConnection::read(char* buf, size_t len) {
  ssize_t n = ::read(fd_, buf, len);
  if (n >= 0) return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return kWouldBlock;
  last_error_ = std::strerror(errno);
  return kError;
}

ssize_t TcpConnection::write(const char* buf, size_t len) {
  ssize_t n = ::write(fd_, buf, len);
  if (n >= 0) return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return kWouldBlock;
  last_error_ = std::strerror(errno);
  return kError;
}

void TcpConnection::handle_events(uint32_t events) {
  if (owner_ == nullptr) return;
  // Errors and hang-ups surface through read(), which reports them with a reason.
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && want_read_) {
    owner_->on_readable();
  } else if ((events & (EPOLLERR | EPOLLHUP)) && !want_write_) {
    // Nobody is reading (a paused client), yet epoll would report the hang-up forever.
    owner_->on_transport_error("connection closed by peer");
    return;
  }
  if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && want_write_) owner_->on_writable();
}

}  // namespace cachet::net
