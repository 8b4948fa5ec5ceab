#include "net/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/clock.h"
#include "common/log.h"

namespace cachet::net {

EventLoop::EventLoop() : events_(1024) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ < 0 || wake_fd_ < 0) throw std::runtime_error("cannot create the event loop");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the waker is the only registration without a handler
  epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  ::close(wake_fd_);
  ::close(epfd_);
}

bool EventLoop::add(int fd, EventHandler* handler, bool readable, bool writable) {
  epoll_event ev{};
  ev.events = (readable ? uint32_t{EPOLLIN} : 0u) | (writable ? uint32_t{EPOLLOUT} : 0u);
  ev.data.ptr = handler;
  return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::modify(int fd, EventHandler* handler, bool readable, bool writable) {
  epoll_event ev{};
  ev.events = (readable ? uint32_t{EPOLLIN} : 0u) | (writable ? uint32_t{EPOLLOUT} : 0u);
  ev.data.ptr = handler;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::set_periodic(std::function<int64_t()> interval_ms, std::function<void()> fn) {
  periodic_interval_ = std::move(interval_ms);
  periodic_ = std::move(fn);
  next_periodic_us_ = monotonic_us() + periodic_interval_() * 1000;
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
  (void)ignored;
}

void EventLoop::drain_posted() {
  uint64_t count;
  while (::read(wake_fd_, &count, sizeof count) > 0) {
  }
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(posted_mutex_);
    work.swap(posted_);
  }
  for (auto& fn : work) fn();
}

void EventLoop::run() {
  running_ = true;
  while (running_) {
    bool more = before_sleep_ ? before_sleep_() : false;
    int timeout_ms = -1;
    if (periodic_) {
      int64_t wait_us = next_periodic_us_ - monotonic_us();
      timeout_ms = wait_us <= 0 ? 0 : static_cast<int>((wait_us + 999) / 1000);
    }
    if (more) timeout_ms = 0;
    int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
    if (n < 0 && errno != EINTR) {
      CACHET_LOG_WARNING("epoll_wait failed: {}", std::strerror(errno));
    }
    for (int i = 0; i < n; ++i) {
      auto* handler = static_cast<EventHandler*>(events_[i].data.ptr);
      if (handler == nullptr) {
        drain_posted();
      } else {
        handler->handle_events(events_[i].events);
      }
    }
    if (periodic_ && monotonic_us() >= next_periodic_us_) {
      periodic_();
      next_periodic_us_ = monotonic_us() + periodic_interval_() * 1000;
    }
  }
}

}  // namespace cachet::net
