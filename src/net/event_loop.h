#pragma once
// A single-threaded epoll loop. Handlers are called for ready descriptors; `before_sleep` runs
// once per iteration before waiting, which is where the server flushes every pending reply in
// one pass (one write per client per iteration rather than one per command). Other threads
// hand work to the loop with post(), which wakes it through an eventfd.
#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace cachet::net {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void handle_events(uint32_t events) = 0;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool add(int fd, EventHandler* handler, bool readable, bool writable);
  void modify(int fd, EventHandler* handler, bool readable, bool writable);
  void remove(int fd);

  // Runs before each wait; returning true means more work is ready, so do not block.
  void set_before_sleep(std::function<bool()> fn) { before_sleep_ = std::move(fn); }
  // Runs every interval_ms (re-read on each tick, so hz changes apply at once).
  void set_periodic(std::function<int64_t()> interval_ms, std::function<void()> fn);
  // Thread-safe: runs fn on the loop thread soon.
  void post(std::function<void()> fn);

  void run();
  void stop() { running_ = false; }

 private:
  void drain_posted();

  int epfd_;
  int wake_fd_;
  bool running_ = false;
  std::function<bool()> before_sleep_;
  std::function<int64_t()> periodic_interval_;
  std::function<void()> periodic_;
  int64_t next_periodic_us_ = 0;
  std::vector<epoll_event> events_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace cachet::net
