#include "server/background_fsync.h"

#include <unistd.h>

namespace cachet::server {

BackgroundFsync::BackgroundFsync() : worker_([this] { run(); }) {}

BackgroundFsync::~BackgroundFsync() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void BackgroundFsync::submit(int fd, bool close_after) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back({fd, close_after});
    pending_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_one();
}

void BackgroundFsync::drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
}

void BackgroundFsync::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left to do
    Job job = jobs_.front();
    jobs_.pop_front();
    lock.unlock();
    bool failed = ::fdatasync(job.fd) != 0;
    if (job.close_after) ::close(job.fd);
    last_failed_.store(failed, std::memory_order_release);
    lock.lock();
    pending_.fetch_sub(1, std::memory_order_release);
    if (pending_.load(std::memory_order_acquire) == 0) idle_.notify_all();
  }
}

}  // namespace cachet::server
