#pragma once
// fsync (and close) of AOF files on a thread of its own, so `appendfsync everysec` never holds
// the event loop on a slow disk. One worker, jobs in order; the loop only queues and asks
// whether one is still running.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace cachet::server {

class BackgroundFsync {
 public:
  BackgroundFsync();
  ~BackgroundFsync();  // finishes the queued jobs, then joins

  // Queues an fsync of `fd`; with `close_after` the worker also closes it (a retired file).
  void submit(int fd, bool close_after);
  // Jobs queued or running.
  bool pending() const { return pending_.load(std::memory_order_acquire) > 0; }
  // Waits until every queued job is done.
  void drain();
  // Whether the last fsync failed (INFO aof_last_write_status reports it).
  bool last_failed() const { return last_failed_.load(std::memory_order_acquire); }

 private:
  struct Job {
    int fd;
    bool close_after;
  };
  void run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> jobs_;
  std::atomic<int> pending_{0};
  std::atomic<bool> last_failed_{false};
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace cachet::server
